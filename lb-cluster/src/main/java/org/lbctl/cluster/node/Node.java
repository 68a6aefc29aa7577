package org.lbctl.cluster.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.core.api.AccountControl;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.JoinOrder;
import org.lbctl.core.api.ManagementServer;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.api.PairOrder;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.proxy.ListenerChanges;
import org.lbctl.core.proxy.ProxyEngine;
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

  private final Instant startedAt = Instant.now();
  private final NodeParts parts;
  private final ProxyEngine engine;
  private final HealthChecker health;
  private final ConfigInstaller installer;
  private final Memberships memberships;
  private final Operations operations;
  private final Accounts accounts;

  private Node(NodeConfig local, Transport transport) {
    this.parts = new NodeParts(local, transport, this::status);
    this.engine = parts.engine;
    this.health = parts.health;
    this.installer = parts.installer;
    this.memberships = new Memberships(parts.lifecycle, parts.clusters, parts.name);
    this.operations = parts.operations;
    this.accounts = parts.accounts;
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
      node.parts.start(initial, document, node);
    } catch (ConfigException | IOException | RuntimeException e) {
      node.close();
      throw e;
    }
    log.info(
        "node {} started on {} ({} virtual services, transport {}, configuration {})",
        node.parts.name,
        node.configSource(),
        initial.virtualServices().size(),
        node.engine.transport().name().toLowerCase(java.util.Locale.ROOT),
        node.installer.version());
    return node;
  }

  private String configSource() {
    return parts.local.configFile().map(Object::toString).orElse("embedded configuration");
  }

  @Override
  public NodeStatus status() {
    return new NodeStatus(
        parts.name,
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

  private StickSummary stickSummary() {
    ReplicatedStickTable r = parts.replicatedTable();
    return new StickSummary(parts.sticks.size(), r == null ? null : r.replication());
  }

  /** A cluster's members, or a pair's two as a cluster of two. */
  private org.lbctl.core.status.ClusterStatus clusterStatus() {
    GroupPair p = parts.slot.pair();
    return p != null ? p.clusterStatus() : parts.clusters.status();
  }

  private org.lbctl.core.status.PairStatus pairStatus() {
    GroupPair p = parts.slot.pair();
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
  public AccountControl accounts() {
    return accounts;
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
    return memberships.acceptPairing(listen);
  }

  @Override
  public NodeStatus pair(PairOrder order) throws ApiException {
    return memberships.pair(order);
  }

  @Override
  public NodeStatus breakPair(boolean force) throws ApiException {
    return memberships.breakPair(force);
  }

  @Override
  public NodeStatus moveGroup(String group, String node) throws ApiException {
    return memberships.moveGroup(group, node);
  }

  @Override
  public PairingOffer inviteToCluster(Optional<InetSocketAddress> listen) throws ApiException {
    return memberships.invite(listen);
  }

  @Override
  public NodeStatus joinCluster(JoinOrder order) throws ApiException {
    return memberships.join(order);
  }

  @Override
  public NodeStatus leaveCluster() throws ApiException {
    return memberships.leave();
  }

  @Override
  public NodeStatus removeMember(String member) throws ApiException {
    return memberships.remove(member);
  }

  /** The HTTPS management address, when the node has that listener (the real port). */
  public Optional<InetSocketAddress> httpsAddress() {
    return parts.management().flatMap(Management::https).map(ManagementServer::address);
  }

  public ProxyEngine engine() {
    return engine;
  }

  private static String buildVersion() {
    String v = Node.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public void close() {
    parts.close();
    log.info("node {} stopped", parts.name);
  }
}
