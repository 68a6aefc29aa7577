package org.lbctl.cluster.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.joining.ClusterLifecycle;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.cluster.pairing.PairLifecycle;
import org.lbctl.cluster.pairing.PairSlot;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.alert.SmtpMailSender;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.JoinOrder;
import org.lbctl.core.api.ManagementServer;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.api.PairOrder;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.health.CheckCommands;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.SwitchableStickTable;
import org.lbctl.core.proxy.ListenerChanges;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.proxy.Served;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.StatusReport;
import org.lbctl.core.status.StickSummary;
import org.lbctl.core.status.StickTableStatus;
import org.lbctl.persistence.ReplicatedStickTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: the data plane on its configuration and the management API in front of it. The
 * pair (membership, roles, floating IPs, configuration sync) plugs in here. It builds the parts,
 * starts and stops them in order, and hands each request of the API to the part that answers it.
 */
public final class Node implements NodeControl, ConfigReplica, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final ProxyEngine engine;
  private final HealthChecker health;
  private final L4DataPlane kernel;
  private final Alerter alerter;
  private final KernelRouting routing;
  private final Instant startedAt = Instant.now();
  private final String name;
  // The engine routes through this; a node of a pair swaps the replicated table in.
  private final SwitchableStickTable sticks = new SwitchableStickTable(new InMemoryStickTable());
  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final PairLifecycle lifecycle;
  private final Operations operations;
  private Management management;
  private SelfCheck selfCheck;
  private final ClusterLifecycle clusters;

  private Node(NodeConfig local, Transport transport) {
    this.slot = new PairSlot(local);
    this.engine = new ProxyEngine(transport, local.ioThreads(), sticks);
    CheckCommands checkCommands =
        new CheckCommands(List.of(), Optional.of(local.scriptsDirectory()));
    this.health = new HealthChecker(engine.transport(), engine::services, checkCommands);
    // The kernel's layer 4 rules follow the services this node serves: all of them alone or
    // active, none passive, a cluster member's groups.
    this.kernel =
        new L4DataPlane(
            () -> {
              // One look at what is served per sync, not one lock per service.
              Served served = engine.served();
              return engine.services().values().stream()
                  .filter(v -> served.serves(v.label()))
                  .toList();
            },
            engine::serving);
    this.name = hostname();
    this.alerter = new Alerter(name, new SmtpMailSender());
    HealthAlerts.mail(health, alerter);
    health.addListener(e -> kernel.refresh());
    this.routing = new KernelRouting(engine.transport());
    this.installer =
        new ConfigInstaller(
            local,
            engine,
            health,
            checkCommands,
            kernel,
            alerter,
            routing,
            slot::pair,
            this::replicatedTable);
    DataPlane plane =
        new DataPlane(engine, kernel, sticks, installer::announceRealServers, installer::onChange);
    this.lifecycle = new PairLifecycle(slot, installer, plane, alerter, name, this::status);
    this.operations = new Operations(() -> management, engine, kernel, slot::pair, this::status);
    this.clusters = new ClusterLifecycle(slot, installer, plane, this::status);
  }

  /**
   * Starts a node on its configuration file, or on {@code embedded} when the node configuration
   * names no file.
   */
  public static Node start(NodeConfig given, Optional<ReplicatedConfig> embedded)
      throws ConfigException, IOException {
    NodeConfig local = org.lbctl.core.config.ClusterFile.attach(PairFile.attach(given));
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
    Transport transport;
    try {
      transport = Transport.of(local.transport());
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
    Node node = new Node(local, transport);
    try {
      if (local.pair().isPresent() || local.cluster().isPresent()) {
        // A node of a pair serves only once it is active; a cluster member, its groups.
        node.engine.setServing(false);
      }
      node.installer.runAtStart(initial);
      node.kernel.start();
      node.installer.started(initial, document);
      node.management = Management.start(local, node);
      node.selfCheck = SelfCheck.of(local, node.engine.eventLoops(), node::leaseHolder);
      node.selfCheck.start();
      if (local.pair().isPresent()) {
        node.lifecycle.start(local.pair().get());
      }
      if (local.cluster().isPresent()) {
        node.clusters.start(local.cluster().get());
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
        node.installer.version());
    return node;
  }

  private String configSource() {
    return slot.local().configFile().map(Object::toString).orElse("embedded configuration");
  }

  @Override
  public NodeStatus status() {
    return new NodeStatus(
        name,
        buildVersion(),
        engine.transport().name().toLowerCase(java.util.Locale.ROOT),
        startedAt.toString(),
        configSource(),
        installer.version().number(),
        installer.version().hash(),
        installer.loadedAt().toString(),
        pairStatus(),
        clusterStatus(),
        stickSummary(),
        StatusReport.services(engine.services().values(), health::last, health::lastTook));
  }

  /** What keeps the fence's lease running: the pair's controller or the cluster's groups. */
  private LeaseHolder leaseHolder() {
    GroupPair p = slot.pair();
    return p != null ? p.lease() : clusters.lease();
  }

  private ReplicatedStickTable replicatedTable() {
    GroupPair p = slot.pair();
    return p != null ? p.stickTable() : clusters.stickTable();
  }

  private StickSummary stickSummary() {
    ReplicatedStickTable r = replicatedTable();
    return new StickSummary(sticks.size(), r == null ? null : r.replication());
  }

  /** A cluster's members, or a pair's two as a cluster of two. */
  private org.lbctl.core.status.ClusterStatus clusterStatus() {
    GroupPair p = slot.pair();
    return p != null ? p.clusterStatus() : clusters.status();
  }

  private org.lbctl.core.status.PairStatus pairStatus() {
    GroupPair p = slot.pair();
    return p == null ? null : p.status();
  }

  @Override
  public ReplicatedConfig runningConfig() {
    return installer.runningConfig();
  }

  @Override
  public ConfigVersion version() {
    return installer.version();
  }

  @Override
  public byte[] document() {
    return installer.document();
  }

  @Override
  public ListenerChanges install(ConfigVersion next, byte[] received)
      throws ConfigException, IOException {
    return installer.install(next, received);
  }

  @Override
  public ListenerChanges reload() throws ApiException {
    return installer.reload();
  }

  @Override
  public ListenerChanges replaceConfig(byte[] given, String basedOn) throws ApiException {
    return installer.replaceConfig(given, basedOn);
  }

  @Override
  public Optional<String> addUser(String name, String password) throws ApiException {
    return operations.addUser(name, password);
  }

  @Override
  public List<String> users() {
    return operations.users();
  }

  @Override
  public List<ApiTokens.Token> tokens() {
    return operations.tokens();
  }

  @Override
  public void removeUser(String name) throws ApiException {
    operations.removeUser(name);
  }

  @Override
  public Optional<String> setPassword(String name, String password) throws ApiException {
    return operations.setPassword(name, password);
  }

  @Override
  public void setUserDisabled(String name, boolean disabled) throws ApiException {
    operations.setUserDisabled(name, disabled);
  }

  @Override
  public String createToken(
      String user, String label, boolean readOnly, java.time.Duration lifetime)
      throws ApiException {
    return operations.createToken(user, label, readOnly, lifetime);
  }

  @Override
  public void revokeToken(String id) throws ApiException {
    operations.revokeToken(id);
  }

  @Override
  public StickTableStatus stickTable(String vip) throws ApiException {
    return operations.stickTable(vip);
  }

  @Override
  public int clearStickTable(String vip) throws ApiException {
    return operations.clearStickTable(vip);
  }

  @Override
  public AdminState setAdminState(String vip, String rip, AdminState state) throws ApiException {
    return operations.setAdminState(vip, rip, state);
  }

  @Override
  public void promote(boolean force) throws ApiException {
    operations.promote(force);
  }

  @Override
  public NodeStatus failover() throws ApiException {
    return operations.failover();
  }

  @Override
  public PairingOffer acceptPairing(InetSocketAddress listen) throws ApiException {
    refuseInCluster("offer pairing");
    return lifecycle.acceptPairing(listen);
  }

  @Override
  public NodeStatus pair(PairOrder order) throws ApiException {
    refuseInCluster("pair");
    return lifecycle.pair(order);
  }

  @Override
  public NodeStatus moveGroup(String group, String node) throws ApiException {
    if (!clusters.member()) {
      return NodeControl.super.moveGroup(group, node);
    }
    return clusters.moveGroup(group, node);
  }

  @Override
  public PairingOffer inviteToCluster(Optional<InetSocketAddress> listen) throws ApiException {
    return clusters.invite(listen);
  }

  @Override
  public NodeStatus joinCluster(JoinOrder order) throws ApiException {
    if (lifecycle.offering()) {
      throw new ApiException(
          409, "this node offers pairing (`lbctl pair --accept`): it cannot also join a cluster");
    }
    return clusters.join(order, name);
  }

  @Override
  public NodeStatus leaveCluster() throws ApiException {
    return clusters.leave();
  }

  @Override
  public NodeStatus removeMember(String member) throws ApiException {
    return clusters.remove(member);
  }

  private void refuseInCluster(String what) throws ApiException {
    if (clusters.member()) {
      throw new ApiException(
          409,
          "cannot "
              + what
              + ": this node is a member of a cluster ("
              + String.join(", ", clusters.names())
              + "); pairing joins two nodes that run alone");
    }
  }

  @Override
  public NodeStatus breakPair(boolean force) throws ApiException {
    return lifecycle.breakPair(force);
  }

  /** The HTTPS management address, when the node has that listener (the real port). */
  public Optional<InetSocketAddress> httpsAddress() {
    Management m = management;
    return m == null ? Optional.empty() : m.https().map(ManagementServer::address);
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
    // Each part stops on its own: one that fails to close must not leave the kernel's rules,
    // routes and addresses of the parts after it behind.
    stopping(
        "the self-check",
        () -> {
          if (selfCheck != null) {
            selfCheck.close();
          }
        });
    stopping(
        "the pair",
        () -> {
          GroupPair p = slot.pair();
          if (p != null) {
            p.close();
          }
        });
    stopping("the cluster", clusters::close);
    stopping("the pairing offer", lifecycle::closeOffer);
    stopping(
        "management",
        () -> {
          if (management != null) {
            management.close();
          }
        });
    stopping("health checks", health::close);
    stopping("layer 4 rules", kernel::close);
    stopping("alerts", alerter::close);
    stopping("transparent routing", routing::close);
    stopping("the proxy", engine::close);
    log.info("node {} stopped", name);
  }

  private static void stopping(String part, Runnable close) {
    try {
      close.run();
    } catch (RuntimeException e) {
      log.error("stopping {} failed; stopping the rest", part, e);
    }
  }
}
