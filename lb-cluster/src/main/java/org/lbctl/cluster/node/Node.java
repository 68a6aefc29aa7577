package org.lbctl.cluster.node;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.pair.PairController;
import org.lbctl.cluster.pair.PairSecret;
import org.lbctl.cluster.pair.PingTargets;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.cluster.sync.SyncRules;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.ManagementApi;
import org.lbctl.core.api.ManagementServer;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigHash;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairRole;
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
public final class Node implements NodeControl, ConfigReplica, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final NodeConfig local;
  private final ProxyEngine engine;
  private final Instant startedAt = Instant.now();
  private final String name;
  private final Optional<ConfigStore> store;
  private ManagementServer management;
  private PairController pair;
  private volatile ReplicatedConfig running;
  private volatile ConfigVersion version;
  private volatile byte[] document;
  private volatile Instant loadedAt;

  private Node(NodeConfig local) {
    this.local = local;
    this.engine = new ProxyEngine(Transport.detect(), local.ioThreads());
    this.name = hostname();
    // Only a pair needs to know across restarts which version it holds; a lone node numbers its
    // reloads in memory and writes nothing beside its file.
    this.store =
        local.pair().isPresent() ? local.configFile().map(ConfigStore::new) : Optional.empty();
  }

  /** Numbers configuration versions: a node alone, the primary, or a promoted secondary. */
  private boolean editsAtStart() {
    return local.pair().map(p -> p.role() == PairRole.PRIMARY).orElse(true);
  }

  /**
   * Starts a node on its configuration file, or on {@code embedded} when the node configuration
   * names no file.
   */
  public static Node start(NodeConfig local, Optional<ReplicatedConfig> embedded)
      throws ConfigException, IOException {
    byte[] document;
    ReplicatedConfig initial;
    if (local.configFile().isPresent()) {
      Path file = local.configFile().get();
      document = ConfigLoader.read(file);
      initial = ConfigLoader.parse(document, ConfigLoader.isJson(file));
    } else {
      initial = embedded.orElse(ReplicatedConfig.EMPTY);
      document = ConfigWriter.toYaml(initial).getBytes(StandardCharsets.UTF_8);
    }
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
      node.document = document;
      node.version = node.versionAtStart(ConfigHash.of(initial));
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
        node.version);
    return node;
  }

  /**
   * The version this node starts on, recorded beside the file. A file changed while the node was
   * stopped is a new version on the node that numbers them; on a secondary it runs unnumbered until
   * the primary's version replaces it.
   */
  private ConfigVersion versionAtStart(String hash) {
    if (store.isEmpty()) {
      return SyncRules.atStart(true, Optional.empty(), hash);
    }
    Optional<ConfigVersion> recorded = store.get().readVersion();
    ConfigVersion v = SyncRules.atStart(editsAtStart(), recorded, hash);
    if (recorded.isPresent() && !recorded.get().equals(v)) {
      if (v.number() == 0) {
        log.warn(
            "{} changed since this node recorded version {}; as the secondary it runs the file"
                + " unnumbered until the primary's version replaces it (the edit is then kept"
                + " beside the file). Edit the configuration on the primary",
            store.get().file(),
            recorded.get());
      } else {
        log.info(
            "{} changed while the node was stopped: now configuration {}", store.get().file(), v);
      }
    }
    if (v.number() > 0 && !recorded.equals(Optional.of(v))) {
      recordVersion(v);
    }
    return v;
  }

  private void startPair(PairSettings settings, SecretKey key) throws IOException {
    pair =
        new PairController(
            settings,
            engine::setServing,
            new FloatingIpOwner(settings.device(), List.of()),
            () -> running.allFloatingIps(),
            new PingTargets(settings.pingTargets(), List.of()),
            this);
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
        buildVersion(),
        engine.transport().name().toLowerCase(java.util.Locale.ROOT),
        startedAt.toString(),
        configSource(),
        version.number(),
        version.hash(),
        loadedAt.toString(),
        pair == null ? null : pair.status(),
        StatusReport.services(engine.services().values()));
  }

  @Override
  public ReplicatedConfig runningConfig() {
    return running;
  }

  @Override
  public ConfigVersion version() {
    return version;
  }

  @Override
  public byte[] document() {
    return document.clone();
  }

  /**
   * Runs a version received from the peer and records it; called on the pair's thread, which moves
   * the floating IPs afterwards.
   */
  @Override
  public synchronized ListenerChanges install(ConfigVersion next, byte[] received)
      throws ConfigException, IOException {
    ReplicatedConfig config = ConfigReplica.read(next, received);
    ListenerChanges changes = engine.apply(config);
    byte[] previous = document;
    running = config;
    document = received.clone();
    version = next;
    loadedAt = Instant.now();
    if (store.isPresent()) {
      store.get().install(toStoredForm(config, received), next, previous);
    }
    return changes;
  }

  /** A node whose file is JSON keeps it JSON, whatever form the peer sent. */
  private byte[] toStoredForm(ReplicatedConfig config, byte[] received) {
    if (!ConfigLoader.isJson(store.orElseThrow().file())) {
      return received;
    }
    return ConfigWriter.toJson(config);
  }

  @Override
  public synchronized ListenerChanges reload() throws ApiException {
    if (local.configFile().isEmpty()) {
      throw new ApiException(
          409, "this node runs on an embedded configuration; there is no file to reload");
    }
    Optional<String> refusal = pair == null ? Optional.empty() : pair.editRefusal();
    if (refusal.isPresent()) {
      log.warn("reload refused, the running configuration is unchanged: {}", refusal.get());
      throw new ApiException(409, refusal.get());
    }
    Path path = local.configFile().get();
    String file = path.toString();
    try {
      byte[] read = ConfigLoader.read(path);
      ReplicatedConfig next = ConfigLoader.parse(read, ConfigLoader.isJson(path));
      String hash = ConfigHash.of(next);
      ListenerChanges changes = engine.apply(next);
      List<FloatingIp> before = running.allFloatingIps();
      running = next;
      document = read;
      loadedAt = Instant.now();
      if (!hash.equals(version.hash())) {
        version = version.next(hash);
        recordVersion(version);
        log.info("configuration {} loaded from {}", version, file);
      }
      if (pair != null) {
        pair.floatingIpsChanged(before);
        pair.configChanged();
      }
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

  /** A version that cannot be recorded still runs; the log says what a restart will do. */
  private void recordVersion(ConfigVersion v) {
    if (store.isEmpty()) {
      return;
    }
    try {
      store.get().writeVersion(v);
    } catch (IOException e) {
      log.error(
          "running configuration {} but cannot record its version in {}: {}; a restart will"
              + " number it again",
          v,
          store.get().versionFile(),
          e.getMessage());
    }
  }

  @Override
  public void promote() throws ApiException {
    if (pair == null) {
      throw new ApiException(409, "this node runs alone: it accepts edits already");
    }
    try {
      pair.promote();
    } catch (IllegalStateException e) {
      throw new ApiException(409, e.getMessage());
    } catch (Exception e) {
      throw new ApiException(500, "promote failed: " + e.getMessage());
    }
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

  private static String buildVersion() {
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
