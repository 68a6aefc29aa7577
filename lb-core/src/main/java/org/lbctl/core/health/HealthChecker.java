package org.lbctl.core.health;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.CheckType;
import org.lbctl.core.config.HealthCheck;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.health.dicom.DicomEchoCheck;
import org.lbctl.core.health.hl7.Hl7Check;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the health checks of every real server of every virtual service, on a node whether it is
 * active or passive (a passive node is warm when it takes over), on its own event loop so that the
 * data plane never waits for a check. Follows the configuration: {@link #sync} keeps the monitors
 * of unchanged servers (and their state), starts new ones, stops removed ones.
 */
public final class HealthChecker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

  /** What a monitor is for: a change of any part starts a new one. */
  private record Key(
      String vip, String server, InetAddress address, List<Integer> ports, HealthCheck check) {}

  private final EventLoopGroup group;
  private final CheckTransport checks;
  private final CheckCommands commands;
  private final Supplier<Map<String, VirtualServiceRuntime>> services;
  private final Map<Key, ServerMonitor> monitors = new HashMap<>();
  private final Map<String, Boolean> vipAvailable = new HashMap<>();
  private final List<Consumer<HealthEvent>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<VipAvailability>> vipListeners = new CopyOnWriteArrayList<>();

  /**
   * A virtual service lost its last available real server, or has one again.
   *
   * @param consequence what happens to new clients now
   */
  public record VipAvailability(String virtualService, boolean available, String consequence) {}

  /**
   * @param services the running virtual services, read when a server changes state to tell whether
   *     its virtual service still has one available
   */
  public HealthChecker(Transport transport, Supplier<Map<String, VirtualServiceRuntime>> services) {
    this(transport, services, CheckCommands.LOCAL);
  }

  public HealthChecker(
      Transport transport,
      Supplier<Map<String, VirtualServiceRuntime>> services,
      CheckCommands commands) {
    this.services = services;
    this.commands = commands;
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("lb-check", true), transport.ioHandlerFactory());
    this.checks = new CheckTransport(group, transport.socketChannel());
  }

  /** Also tells {@code listener} when a virtual service loses or regains its last server. */
  public void addAvailabilityListener(Consumer<VipAvailability> listener) {
    vipListeners.add(listener);
  }

  /** Also tells {@code listener} of every change (alerts). */
  public void addListener(Consumer<HealthEvent> listener) {
    listeners.add(listener);
  }

  /** Checks the servers of {@code running} from now on, and no others. */
  public synchronized void sync(Collection<VirtualServiceRuntime> running) {
    Map<Key, ServerMonitor> next = new HashMap<>();
    for (VirtualServiceRuntime r : running) {
      VirtualService v = r.config();
      HealthCheck hc = v.healthCheck();
      for (Backend b : r.backends()) {
        if (hc.type() == CheckType.NONE) {
          // No check: the server counts as up (a check just removed must not leave it down).
          b.state().setHealthy(true);
          continue;
        }
        Key key = key(v, b);
        ServerMonitor m = monitors.remove(key);
        if (m == null) {
          m = start(key, v, b);
        }
        next.put(key, m);
      }
    }
    monitors.values().forEach(ServerMonitor::stop);
    monitors.clear();
    monitors.putAll(next);
    vipAvailable.keySet().retainAll(running.stream().map(r -> r.config().label()).toList());
  }

  private static Key key(VirtualService v, Backend b) {
    HealthCheck hc = v.healthCheck();
    List<Integer> ports = new ArrayList<>();
    if (hc.port() != 0) {
      ports.add(hc.port());
    } else if (hc.type() == CheckType.ALL_PORTS) {
      v.ports().forEach(p -> ports.add(b.config().targetPort(p)));
    } else {
      ports.add(b.config().targetPort(v.ports().get(0)));
    }
    return new Key(v.label(), b.label(), IpLiterals.parse(b.config().address()), ports, hc);
  }

  private ServerMonitor start(Key key, VirtualService v, Backend b) {
    HealthCheck hc = v.healthCheck();
    // A server that was checked before (its check changed) keeps its health until the new check
    // says otherwise; a new one is decided by its first result.
    boolean known =
        monitors.keySet().stream()
            .anyMatch(k -> k.vip().equals(key.vip()) && k.server().equals(key.server()));
    HealthState state =
        known
            ? new HealthState(hc.rise(), hc.fall(), b.state().healthy())
            : new HealthState(hc.rise(), hc.fall());
    ServerMonitor m =
        new ServerMonitor(
            new CheckTarget(
                v.label(),
                b.label(),
                key.address(),
                key.ports(),
                hc.timeout(),
                v.address(),
                v.ports().get(0)),
            checkOrFailure(hc),
            hc.interval(),
            state,
            b.state(),
            group.next(),
            this::changed);
    m.start();
    return m;
  }

  private Check check(HealthCheck hc) {
    return switch (hc.type()) {
      case CONNECT, ALL_PORTS -> new ConnectCheck(checks);
      case PING -> new PingCheck(commands.execPrefix());
      case EXTERNAL -> new ExternalCheck(commands, hc.script());
      case HTTP_GET -> new HttpGetCheck(checks, hc.http(), Optional.empty());
      case HTTPS_GET -> new HttpGetCheck(checks, hc.http(), Optional.of(tls(hc)));
      case DICOM_ECHO ->
          new DicomEchoCheck(
              checks,
              hc.callingAeTitle(),
              hc.calledAeTitle(),
              hc.usesTls() ? Optional.of(tls(hc)) : Optional.empty());
      case HL7 ->
          new Hl7Check(
              checks, hc.hl7ReceivingApplication(), hc.hl7ReceivingFacility(), hc.hl7MessageType());
      default ->
          throw new IllegalArgumentException(
              "health check '" + hc.type().configName() + "' is not available in this build");
    };
  }

  /** The check, or one that fails with the reason when it cannot be built (a TLS file gone bad). */
  private Check checkOrFailure(HealthCheck hc) {
    try {
      return check(hc);
    } catch (RuntimeException e) {
      String why = "cannot check: " + e.getMessage();
      return target ->
          java.util.concurrent.CompletableFuture.completedFuture(CheckResult.down(why));
    }
  }

  private static io.netty.handler.ssl.SslContext tls(HealthCheck hc) {
    try {
      return CheckTlsContexts.build(hc.tls());
    } catch (javax.net.ssl.SSLException e) {
      // Refused before it gets here (problems); a file that went bad since fails every check.
      throw new IllegalStateException(CheckTlsContexts.reason(e), e);
    }
  }

  /**
   * What keeps this node from running the checks of {@code config} as written: scripts it does not
   * have, TLS files it cannot use. The node refuses such a configuration.
   */
  public static List<org.lbctl.core.config.ConfigProblem> problems(
      org.lbctl.core.config.ReplicatedConfig config, CheckCommands commands) {
    List<org.lbctl.core.config.ConfigProblem> all =
        new ArrayList<>(ExternalCheck.missingScripts(config, commands));
    all.addAll(CheckTlsContexts.problems(config));
    return all;
  }

  /** The latest result for a server, or empty before its first check (or without a check). */
  public Optional<CheckResult> last(String vip, String server) {
    return fromMonitor(vip, server, ServerMonitor::last);
  }

  /** How long the latest check of a real server took; empty without a check or before it. */
  public Optional<java.time.Duration> lastTook(String vip, String server) {
    return fromMonitor(vip, server, ServerMonitor::lastTook);
  }

  /** What the monitor of (vip, server) holds; empty without a check or before the first. */
  private synchronized <T> Optional<T> fromMonitor(
      String vip, String server, java.util.function.Function<ServerMonitor, T> what) {
    return monitors.entrySet().stream()
        .filter(e -> e.getKey().vip().equals(vip) && e.getKey().server().equals(server))
        .map(e -> what.apply(e.getValue()))
        .filter(java.util.Objects::nonNull)
        .findFirst();
  }

  private void changed(HealthEvent e) {
    if (e.up()) {
      log.info(
          "vip {}: real server {} down -> UP: {} ({} in a row)",
          e.virtualService(),
          e.server(),
          e.result().detail(),
          e.inARow());
    } else {
      log.warn(
          "vip {}: real server {} up -> DOWN: {} ({} failed in a row); no new connections go to"
              + " it, open ones continue",
          e.virtualService(),
          e.server(),
          e.result().detail(),
          e.inARow());
    }
    noteAvailability(e.virtualService());
    for (Consumer<HealthEvent> l : listeners) {
      l.accept(e);
    }
  }

  /** Logs when a virtual service loses its last available server, and when it has one again. */
  private synchronized void noteAvailability(String vip) {
    VirtualServiceRuntime r = services.get().get(vip);
    if (r == null) {
      return;
    }
    boolean any = r.backends().stream().anyMatch(Backend::available);
    Boolean before = vipAvailable.put(vip, any);
    if (before != null && before == any) {
      return;
    }
    String consequence =
        any
            ? "real servers available again; the fallback takes no new clients"
            : "no real server available: new clients "
                + r.config()
                    .fallback()
                    .map(f -> "go to the fallback server " + f.address() + ":" + f.port())
                    .orElse("are refused (no fallback server)");
    if (!any) {
      log.warn("vip {}: {}", vip, consequence);
    } else if (before != null) {
      log.info("vip {}: {}", vip, consequence);
    } else {
      return;
    }
    VipAvailability news = new VipAvailability(vip, any, consequence);
    vipListeners.forEach(l -> l.accept(news));
  }

  @Override
  public synchronized void close() {
    monitors.values().forEach(ServerMonitor::stop);
    monitors.clear();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
