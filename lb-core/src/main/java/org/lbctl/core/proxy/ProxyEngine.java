package org.lbctl.core.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.Protocol;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.StickTable;
import org.lbctl.core.service.ServiceCounters;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.lbctl.core.tls.TlsMaterial;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte proxy of a node: one listener per address and port of every proxied virtual service.
 * {@link #apply} moves it to a new configuration as a difference: listeners that stay keep their
 * sockets and connections, new ones are bound first (a failure leaves everything as it was),
 * removed ones stop accepting while their connections run to their end.
 */
public final class ProxyEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyEngine.class);

  private final ProxySettings settings;
  private final EventLoopGroup group;
  private final Map<InetSocketAddress, VipListener> listeners = new HashMap<>();
  private volatile Map<String, VirtualServiceRuntime> services = Map.of();
  // HTTP mode: the TLS client context of each re-encrypted real server, by VIP and server label.
  private volatile Map<String, Map<String, io.netty.handler.ssl.SslContext>> reencryption =
      Map.of();
  // One lookup for every connection (not a lambda per accept): the running map, read each time.
  private final java.util.function.BiFunction<String, String, io.netty.handler.ssl.SslContext>
      reencryptionTo = (vip, server) -> reencryption.getOrDefault(vip, Map.of()).get(server);
  private final HttpPipelines http;
  private ReplicatedConfig current = ReplicatedConfig.EMPTY;
  private Served served = Served.ALL;
  private final StickTable sticks;
  private static final long EXPIRY_SWEEP_SECONDS = 10;

  /**
   * @param ioThreads event loops; 0 means one per core (Netty's own default would be two)
   */
  public ProxyEngine(Transport transport, int ioThreads) {
    this(transport, ioThreads, new InMemoryStickTable());
  }

  /**
   * @param sticks the persistence entries of every virtual service; they outlive reloads
   */
  public ProxyEngine(Transport transport, int ioThreads, StickTable sticks) {
    this.sticks = sticks;
    this.settings = ProxySettings.of(transport);
    this.http = new HttpPipelines(settings, reencryptionTo);
    int threads = ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory("lb-io"), transport.ioHandlerFactory());
    // Lookups drop what they find expired; this sweeps the entries nobody asks for any more.
    group.scheduleAtFixedRate(
        () -> sticks.expire(System.currentTimeMillis()),
        EXPIRY_SWEEP_SECONDS,
        EXPIRY_SWEEP_SECONDS,
        TimeUnit.SECONDS);
  }

  /**
   * The data plane's event loops, each to be asked whether it still runs tasks (the fence renews
   * its lease only while every one of them answers).
   */
  public java.util.List<java.util.concurrent.Executor> eventLoops() {
    java.util.List<java.util.concurrent.Executor> loops = new java.util.ArrayList<>();
    group.forEach(loops::add);
    return loops;
  }

  public StickTable sticks() {
    return sticks;
  }

  public Transport transport() {
    return settings.transport();
  }

  /** Moves to {@code next}; on failure throws with the ports that could not be bound. */
  public synchronized ListenerChanges apply(ReplicatedConfig next) throws ConfigException {
    ListenerChanges changes = reconcile(next, served);
    current = next;
    return changes;
  }

  /**
   * Opens or closes every listener: a node of a pair serves only while it is active. Passive, it
   * keeps its virtual services (status, counters, admin states) but listens on nothing.
   */
  public synchronized ListenerChanges setServing(boolean serve) throws ConfigException {
    return serve(serve ? Served.ALL : Served.NONE);
  }

  /**
   * Listens for the virtual services {@code next} names and for no others: a cluster node serves
   * the VIP groups it owns. The services it stops serving keep their state and counters, and the
   * connections they hold run on; on failure nothing changed.
   */
  public synchronized ListenerChanges serve(Served next) throws ConfigException {
    if (next.equals(served)) {
      return new ListenerChanges(List.of(), List.of(), List.of());
    }
    ListenerChanges changes = reconcile(current, next);
    served = next;
    return changes;
  }

  /** Which virtual services this node serves now. */
  public synchronized Served served() {
    return served;
  }

  /** Whether this node listens for any virtual service. */
  public synchronized boolean serving() {
    return served.any();
  }

  private ListenerChanges reconcile(ReplicatedConfig next, Served serve) throws ConfigException {
    Map<String, VirtualServiceRuntime> nextServices = new LinkedHashMap<>();
    Map<InetSocketAddress, VipListener> wanted = new LinkedHashMap<>();
    Map<InetSocketAddress, String> wantedPaths = new HashMap<>();
    Map<String, Map<String, io.netty.handler.ssl.SslContext>> nextReencryption = new HashMap<>();
    List<VirtualService> vips = next.virtualServices();
    for (int i = 0; i < vips.size(); i++) {
      VirtualService v = vips.get(i);
      VirtualServiceRuntime old = services.get(v.label());
      VirtualServiceRuntime runtime =
          new VirtualServiceRuntime(
              v,
              old == null ? Map.of() : states(old),
              old == null ? new ServiceCounters() : old.counters(),
              sticks);
      nextServices.put(v.label(), runtime);
      if (!v.isProxied() || !serve.serves(v.label())) {
        continue;
      }
      for (int p = 0; p < v.ports().size(); p++) {
        InetSocketAddress addr =
            new InetSocketAddress(IpLiterals.parse(v.address()), v.ports().get(p));
        wanted.put(addr, new VipListener(addr, runtime));
        wantedPaths.put(addr, "virtualServices[" + i + "].ports[" + p + "]");
      }
      Map<String, io.netty.handler.ssl.SslContext> toServers = new HashMap<>();
      for (int r = 0; r < v.realServers().size(); r++) {
        var rs = v.realServers().get(r);
        if (rs.reencrypt().isPresent()) {
          try {
            toServers.put(rs.label(), TlsMaterial.client(next, rs.reencrypt().get()));
          } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw ConfigException.of(
                "virtualServices[" + i + "].realServers[" + r + "].reencrypt",
                "cannot build its TLS context: " + e.getMessage());
          }
        }
      }
      nextReencryption.put(v.label(), toServers);
      if (v.termination().isPresent()) {
        String path = "virtualServices[" + i + "].termination";
        InetSocketAddress addr =
            new InetSocketAddress(IpLiterals.parse(v.address()), v.termination().get().port());
        try {
          wanted.put(
              addr,
              new VipListener(
                  addr,
                  runtime,
                  TlsMaterial.termination(
                      next,
                      v.termination().get(),
                      v.protocol() == Protocol.HTTP && v.termination().get().http2())));
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
          throw ConfigException.of(path, "cannot build its TLS context: " + e.getMessage());
        }
        wantedPaths.put(addr, path + ".port");
      }
    }

    // Every bind is started before any is awaited: the event loops open them side by side, which
    // matters for a node taking over many VIPs at once.
    Map<VipListener, ChannelFuture> binding = new LinkedHashMap<>();
    for (VipListener l : wanted.values()) {
      if (!listeners.containsKey(l.address())) {
        binding.put(l, bind(l));
      }
    }
    List<VipListener> bound = new ArrayList<>();
    List<ConfigProblem> failures = new ArrayList<>();
    for (Map.Entry<VipListener, ChannelFuture> b : binding.entrySet()) {
      VipListener l = b.getKey();
      ChannelFuture f = b.getValue().awaitUninterruptibly();
      if (f.isSuccess()) {
        l.setChannel(f.channel());
        bound.add(l);
      } else {
        failures.add(
            new ConfigProblem(
                wantedPaths.get(l.address()),
                "cannot listen on "
                    + Endpoints.format(l.address())
                    + ": "
                    + f.cause().getMessage()));
      }
    }
    if (!failures.isEmpty()) {
      bound.forEach(l -> l.channel().close().syncUninterruptibly());
      throw new ConfigException(failures);
    }

    // Commit: nothing below can fail.
    List<String> kept = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (Map.Entry<InetSocketAddress, VipListener> e : wanted.entrySet()) {
      VipListener old = listeners.get(e.getKey());
      if (old != null) {
        old.setRuntime(e.getValue().runtime());
        old.setTls(e.getValue().tls());
        e.setValue(old);
        kept.add(Endpoints.format(old.address()));
      }
    }
    for (VipListener l : listeners.values()) {
      if (!wanted.containsKey(l.address())) {
        // Closed before this returns: a client that connects after a move is refused here, not
        // accepted by a listener on its way out and then reset.
        l.channel().close().syncUninterruptibly();
        removed.add(Endpoints.format(l.address()));
        log.info(
            "vip {}: stopped listening on {}; open connections continue",
            l.runtime().label(),
            Endpoints.format(l.address()));
      }
    }
    for (VipListener l : bound) {
      log.info("vip {}: listening on {}", l.runtime().label(), Endpoints.format(l.address()));
    }
    listeners.clear();
    listeners.putAll(wanted);
    for (String gone : services.keySet()) {
      if (!nextServices.containsKey(gone)) {
        sticks.clear(gone);
        sticks.clear(org.lbctl.core.l4.L4DataPlane.flowsOf(gone));
      }
    }
    services = Collections.unmodifiableMap(nextServices);
    reencryption = nextReencryption;
    return new ListenerChanges(
        bound.stream().map(l -> Endpoints.format(l.address())).toList(), removed, kept);
  }

  private static Map<String, RealServerState> states(VirtualServiceRuntime runtime) {
    Map<String, RealServerState> states = new HashMap<>();
    for (Backend b : runtime.backends()) {
      states.put(b.label(), b.state());
    }
    return states;
  }

  private ChannelFuture bind(VipListener l) {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(settings.transport().serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.waterMark())
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (l.runtime().config().protocol() == Protocol.HTTP) {
                      http.init(ch, l);
                      return;
                    }
                    // Until a server is found the client waits under its own timeout; the
                    // relay then replaces this with one idle timer for both sides.
                    long wait = l.runtime().config().timeouts().client().toMillis();
                    if (l.tls() != null) {
                      // TCP mode behind TLS termination (GE CCW's 443, 44301, 44300): the relay
                      // carries what the client sent inside TLS.
                      ch.pipeline()
                          .addLast("tls", new io.netty.handler.ssl.SniHandler(l.tls()))
                          .addLast("handshake", new TlsHandshakeLog(l.runtime().label()));
                    }
                    ch.pipeline()
                        .addLast("wait", new IdleStateHandler(0, 0, wait, TimeUnit.MILLISECONDS));
                    switch (l.runtime().config().protocol()) {
                      case DICOM ->
                          ch.pipeline()
                              .addLast(
                                  "frontend",
                                  new DicomAssociationGate(l, settings, reencryptionTo));
                      case HL7_MLLP ->
                          ch.pipeline()
                              .addLast(
                                  "mllp",
                                  new org.lbctl.core.hl7.MllpFramer(
                                      l.runtime().config().hl7().maxMessage()))
                              .addLast("frontend", new Hl7MessageGate(l, settings));
                      default ->
                          ch.pipeline()
                              .addLast(
                                  "frontend", new TcpFrontendHandler(l, settings, reencryptionTo));
                    }
                  }
                });
    // A floating VIP may be bound before its address arrives: a node taking over opens its
    // listeners first, then adds the address, so no client finds the port closed.
    settings.transport().freeBind().ifPresent(o -> b.option(o, true));
    return b.bind(l.address());
  }

  /** The running virtual services in configuration order. */
  public Map<String, VirtualServiceRuntime> services() {
    return services;
  }

  public Optional<VirtualServiceRuntime> service(String label) {
    return Optional.ofNullable(services.get(label));
  }

  @Override
  public synchronized void close() {
    listeners.values().forEach(l -> l.channel().close());
    listeners.clear();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
