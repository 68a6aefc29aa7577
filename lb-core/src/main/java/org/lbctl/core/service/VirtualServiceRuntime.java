package org.lbctl.core.service;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.balancer.Scheduler;
import org.lbctl.core.balancer.Schedulers;
import org.lbctl.core.config.Fallback;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.Persistence;
import org.lbctl.core.config.PersistenceMode;
import org.lbctl.core.config.RealServer;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.dicom.AssociationRouter;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.StickKeys;
import org.lbctl.core.persistence.StickTable;
import org.lbctl.core.persistence.StickyCookie;

/**
 * One configuration version of a virtual service, ready to route: immutable apart from the shared
 * per-server states and counters, which carry over to the next version.
 */
public final class VirtualServiceRuntime {
  private final VirtualService config;
  private final List<Backend> backends;
  private final Scheduler scheduler;
  private final ServiceCounters counters;
  private final Optional<InetAddress> fallbackAddress;
  private final List<String> serverLabels;
  private final Optional<StickyCookie> cookie;
  private final StickTable sticks;
  private final AssociationRouter associations;

  /**
   * @param previousStates the states of the version this one replaces, by real-server label; a
   *     server that keeps its label keeps its state
   */
  public VirtualServiceRuntime(
      VirtualService config,
      Map<String, RealServerState> previousStates,
      ServiceCounters counters) {
    this(config, previousStates, counters, new InMemoryStickTable());
  }

  /**
   * @param sticks the node's stick table, shared by every virtual service and every version
   */
  public VirtualServiceRuntime(
      VirtualService config,
      Map<String, RealServerState> previousStates,
      ServiceCounters counters,
      StickTable sticks) {
    this.config = requireNonNull(config, "config");
    this.sticks = requireNonNull(sticks, "sticks");
    this.counters = requireNonNull(counters, "counters");
    List<Backend> list = new ArrayList<>();
    for (RealServer rs : config.realServers()) {
      RealServerState state =
          previousStates.getOrDefault(rs.label(), new RealServerState(rs.label()));
      list.add(new Backend(rs, IpLiterals.parse(rs.address()), state));
    }
    this.backends = List.copyOf(list);
    this.serverLabels = list.stream().map(Backend::label).toList();
    this.cookie =
        config.persistence().mode() == PersistenceMode.HTTP_COOKIE
            ? Optional.of(new StickyCookie(config.label(), config.persistence().cookie()))
            : Optional.empty();
    this.scheduler = Schedulers.create(config.scheduler());
    this.fallbackAddress = config.fallback().map(f -> IpLiterals.parse(f.address()));
    this.associations = new AssociationRouter(config.dicom(), serverLabels);
  }

  /** DICOM mode: where an association goes by its AE titles, for this configuration version. */
  public AssociationRouter associations() {
    return associations;
  }

  /** The real servers' labels, in configuration order. */
  public List<String> serverLabels() {
    return serverLabels;
  }

  /**
   * HTTP cookie persistence: the cookie of this version of the service (its values are digests,
   * computed once per server); empty for other modes.
   */
  public Optional<StickyCookie> cookie() {
    return cookie;
  }

  public VirtualService config() {
    return config;
  }

  public String label() {
    return config.label();
  }

  public List<Backend> backends() {
    return backends;
  }

  public ServiceCounters counters() {
    return counters;
  }

  public Optional<Backend> backend(String label) {
    return backends.stream().filter(b -> b.label().equals(label)).findFirst();
  }

  /**
   * Decides where a new client goes. A {@link Choice.Kind#SERVER} answer has taken a connection
   * slot of that server, which the caller releases when the connection ends or fails.
   *
   * @param tried servers that already failed to connect for this client
   */
  public Choice choose(InetAddress client, int vipPort, Set<RealServerState> tried) {
    return choose(client, vipPort, tried, Pool.ALL);
  }

  /** As {@link #choose(InetAddress, int, Set)}, among the servers of {@code pool} only. */
  public Choice choose(InetAddress client, int vipPort, Set<RealServerState> tried, Pool pool) {
    Optional<Choice> stuck = stuck(client, vipPort, tried, pool);
    if (stuck.isPresent()) {
      return stuck.get();
    }
    Set<Backend> full = new HashSet<>();
    Predicate<Backend> usable =
        b ->
            pool.admits(b)
                && b.available()
                && !tried.contains(b.state())
                && !full.contains(b)
                && b.hasCapacity();
    for (int attempt = 0; attempt <= backends.size(); attempt++) {
      Backend b = scheduler.select(backends, client, usable);
      if (b == null) {
        break;
      }
      if (b.tryAcquire()) {
        return new Choice(
            Choice.Kind.SERVER,
            b,
            new InetSocketAddress(b.address(), b.config().targetPort(vipPort)));
      }
      full.add(b); // lost a race for its last slot
    }
    boolean waitable =
        backends.stream()
            .anyMatch(b -> pool.admits(b) && b.available() && !tried.contains(b.state()));
    if (waitable) {
      return Choice.QUEUE;
    }
    return fallback(vipPort);
  }

  /**
   * The persistent choice: the server the client's entry names, while that server takes persistent
   * clients (online or draining, and healthy) and has not just failed for this client. Otherwise
   * empty, and the scheduler decides; {@link #connected} then rewrites the entry.
   */
  private Optional<Choice> stuck(
      InetAddress client, int vipPort, Set<RealServerState> tried, Pool pool) {
    String key = stickKey(client, pool);
    if (key == null) {
      return Optional.empty();
    }
    Optional<Backend> b =
        sticks
            .lookup(config.label(), key, System.currentTimeMillis())
            .flatMap(e -> backend(e.server()));
    if (b.isEmpty()
        || !pool.admits(b.get())
        || !b.get().takesPersistentClients()
        || tried.contains(b.get().state())) {
      return Optional.empty();
    }
    if (!b.get().tryAcquire()) {
      // Its server is at its maximum: wait for a slot there rather than move the client.
      return Optional.of(Choice.QUEUE);
    }
    return Optional.of(
        new Choice(
            Choice.Kind.SERVER,
            b.get(),
            new InetSocketAddress(b.get().address(), b.get().config().targetPort(vipPort))));
  }

  /**
   * The real server an HTTP persistence cookie names, with its connection slot taken, while it
   * takes persistent clients (online or draining, and healthy) and has room. Empty otherwise: the
   * request is balanced afresh and the cookie rewritten.
   */
  public Optional<Choice> cookieChoice(String server, int vipPort) {
    Optional<Backend> b = backend(server);
    if (b.isEmpty() || !b.get().takesPersistentClients() || !b.get().tryAcquire()) {
      return Optional.empty();
    }
    return Optional.of(
        new Choice(
            Choice.Kind.SERVER,
            b.get(),
            new InetSocketAddress(b.get().address(), b.get().config().targetPort(vipPort))));
  }

  /**
   * A connection to {@code backend} succeeded: the client (or, for last-successful, the service)
   * sticks to it from now on, for the persistence timeout.
   */
  public void connected(InetAddress client, Backend backend) {
    connected(client, backend, Pool.ALL);
  }

  /** As {@link #connected(InetAddress, Backend)}, for a connection of {@code pool}. */
  public void connected(InetAddress client, Backend backend, Pool pool) {
    String key = stickKey(client, pool);
    if (key != null) {
      sticks.record(
          config.label(),
          key,
          backend.label(),
          config.persistence().timeout(),
          System.currentTimeMillis());
    }
  }

  /**
   * The stick-table key of a client of {@code pool}; null when the service does not persist. A
   * pool's scope follows a backslash, which no address and no AE title holds.
   */
  private String stickKey(InetAddress client, Pool pool) {
    Persistence p = config.persistence();
    String key =
        switch (p.mode()) {
          case SOURCE_IP -> StickKeys.sourceIp(client, p.netmask());
          case LAST_SUCCESSFUL -> StickKeys.LAST_SUCCESSFUL;
          case NONE, HTTP_COOKIE -> null;
        };
    return key == null || pool.scope().isEmpty() ? key : key + "\\" + pool.scope();
  }

  /** The fallback server for a client of {@code vipPort}, or refuse when it is disabled. */
  public Choice fallback(int vipPort) {
    if (fallbackAddress.isEmpty()) {
      return Choice.REFUSE;
    }
    Fallback f = config.fallback().orElseThrow();
    return new Choice(
        Choice.Kind.FALLBACK,
        null,
        new InetSocketAddress(fallbackAddress.get(), f.targetPort(vipPort)));
  }
}
