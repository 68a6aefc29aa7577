package org.lbctl.cluster.node;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.pair.PairController;
import org.lbctl.cluster.pair.PairSecret;
import org.lbctl.cluster.pair.PingTargets;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.ManagementApi;
import org.lbctl.core.api.ManagementServer;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigHash;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.proxy.ListenerChanges;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.StatusReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the data plane on its configuration and the management API in front of it. The
 * pair (membership, roles, floating IPs, configuration sync) plugs in here.
 */
public final class Node implements NodeControl, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final NodeConfig local;
  private final ProxyEngine engine;
  private final Instant startedAt = Instant.now();
  private final String name;
  private ManagementServer management;
  private PairController pair;
  private volatile ReplicatedConfig running;
  private volatile String runningHash;
  private volatile Instant loadedAt;

  private Node(NodeConfig local) {
    this.local = local;
    this.engine = new ProxyEngine(Transport.detect(), local.ioThreads());
    this.name = hostname();
  }

  /**
   * Starts a node on its configuration file, or on {@code embedded} when the node configuration
   * names no file.
   */
  public static Node start(NodeConfig local, Optional<ReplicatedConfig> embedded)
      throws ConfigException, IOException {
    ReplicatedConfig initial =
        local.configFile().isPresent()
            ? ConfigLoader.load(local.configFile().get())
            : embedded.orElse(ReplicatedConfig.EMPTY);
    Optional<SecretKey> key =
        local.pair().isPresent()
            ? Optional.of(PairSecret.load(local.pair().get().secretFile()))
            : Optional.empty();
    Node node = new Node(local);
    try {
      if (local.pair().isPresent()) {
        // A node of a pair serves only once it is active.
        node.engine.setServing(false);
      }
      node.engine.apply(initial);
      node.running = initial;
      node.runningHash = ConfigHash.of(initial);
      node.loadedAt = Instant.now();
      node.management = ManagementServer.start(local.managementSocket(), new ManagementApi(node));
      if (local.pair().isPresent()) {
        node.startPair(local.pair().get(), key.orElseThrow());
      }
    } catch (ConfigException | IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    log.info(
        "node {} started on {} ({} virtual services, transport {}, configuration {})",
        node.name,
        node.configSource(),
        initial.virtualServices().size(),
        node.engine.transport().name().toLowerCase(java.util.Locale.ROOT),
        node.runningHash.substring(0, 12));
    return node;
  }

  private void startPair(PairSettings settings, SecretKey key) throws IOException {
    pair =
        new PairController(
            settings,
            engine::setServing,
            new FloatingIpOwner(settings.device(), List.of()),
            () -> running.allFloatingIps(),
            new PingTargets(settings.pingTargets(), List.of()),
            () -> runningHash);
    try {
      pair.start(key);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private String configSource() {
    return local.configFile().map(Object::toString).orElse("embedded configuration");
  }

  @Override
  public NodeStatus status() {
    return new NodeStatus(
        name,
        version(),
        engine.transport().name().toLowerCase(java.util.Locale.ROOT),
        startedAt.toString(),
        configSource(),
        runningHash,
        loadedAt.toString(),
        pair == null ? null : pair.status(),
        StatusReport.services(engine.services().values()));
  }

  @Override
  public ReplicatedConfig runningConfig() {
    return running;
  }

  @Override
  public synchronized ListenerChanges reload() throws ApiException {
    if (local.configFile().isEmpty()) {
      throw new ApiException(
          409, "this node runs on an embedded configuration; there is no file to reload");
    }
    String file = local.configFile().get().toString();
    try {
      ReplicatedConfig next = ConfigLoader.load(local.configFile().get());
      ListenerChanges changes = engine.apply(next);
      List<FloatingIp> before = running.allFloatingIps();
      running = next;
      if (pair != null) {
        pair.floatingIpsChanged(before);
      }
      runningHash = ConfigHash.of(next);
      loadedAt = Instant.now();
      return changes;
    } catch (ConfigException e) {
      log.warn(
          "reload of {} refused, the running configuration is unchanged:\n{}",
          file,
          e.getMessage());
      throw ManagementApi.refused(
          "configuration " + file + " refused; the running configuration is unchanged",
          e.problems());
    }
  }

  @Override
  public AdminState setAdminState(String vip, String rip, AdminState state) throws ApiException {
    VirtualServiceRuntime service =
        engine
            .service(vip)
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "no virtual service '"
                            + vip
                            + "' (known: "
                            + String.join(", ", engine.services().keySet())
                            + ")"));
    Backend backend =
        service
            .backend(rip)
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "virtual service '"
                            + vip
                            + "' has no real server '"
                            + rip
                            + "' (known: "
                            + String.join(
                                ", ", service.backends().stream().map(Backend::label).toList())
                            + ")"));
    return backend.state().setAdminState(state);
  }

  @Override
  public NodeStatus failover() throws ApiException {
    if (pair == null) {
      throw new ApiException(409, "this node runs alone: its node file has no pair section");
    }
    try {
      pair.failover();
    } catch (IllegalStateException e) {
      throw new ApiException(409, e.getMessage());
    } catch (Exception e) {
      throw new ApiException(500, "failover failed: " + e.getMessage());
    }
    return status();
  }

  public ProxyEngine engine() {
    return engine;
  }

  private static String version() {
    String v = Node.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  @Override
  public void close() {
    if (pair != null) {
      pair.close();
    }
    if (management != null) {
      management.close();
    }
    engine.close();
    log.info("node {} stopped", name);
  }
}
