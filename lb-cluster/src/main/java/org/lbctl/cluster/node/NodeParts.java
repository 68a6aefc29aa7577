package org.lbctl.cluster.node;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.joining.ClusterLifecycle;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.cluster.pairing.PairLifecycle;
import org.lbctl.cluster.pairing.PairSlot;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.alert.SmtpMailSender;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.health.CheckCommands;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.SwitchableStickTable;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.proxy.Served;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.persistence.ReplicatedStickTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of one node, built wired to each other, started in order (data plane, kernel rules,
 * management, self-check, then the pair or the cluster) and stopped in the reverse order.
 */
final class NodeParts {
  private static final Logger log = LoggerFactory.getLogger(NodeParts.class);

  final NodeConfig local;
  final String name = hostname();
  final ProxyEngine engine;
  final HealthChecker health;
  final L4DataPlane kernel;
  final Alerter alerter;
  final KernelRouting routing;
  // The engine routes through this; a node of a pair or a cluster swaps the replicated table in.
  final SwitchableStickTable sticks = new SwitchableStickTable(new InMemoryStickTable());
  final PairSlot slot;
  final ConfigInstaller installer;
  final PairLifecycle lifecycle;
  final ClusterLifecycle clusters;
  final Operations operations;
  final Accounts accounts;
  private volatile Management management;
  private volatile SelfCheck selfCheck;

  NodeParts(NodeConfig local, Transport transport, java.util.function.Supplier<NodeStatus> status) {
    this.local = local;
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
    this.accounts = new Accounts(() -> management);
    DataPlane plane =
        new DataPlane(
            engine, kernel, sticks, installer::announceRealServers, installer::onChange, accounts);
    this.lifecycle = new PairLifecycle(slot, installer, plane, alerter, name, status);
    this.operations = new Operations(() -> management, engine, kernel, slot::pair, status);
    this.clusters = new ClusterLifecycle(slot, installer, plane, status);
  }

  /** Runs {@code initial}, then starts management, the self-check and the pair or cluster. */
  void start(ReplicatedConfig initial, byte[] document, NodeControl api)
      throws ConfigException, IOException {
    if (local.pair().isPresent() || local.cluster().isPresent()) {
      // A node of a pair serves only once it is active; a cluster member, its groups.
      engine.setServing(false);
    }
    installer.runAtStart(initial);
    kernel.start();
    installer.started(initial, document);
    try {
      Management.start(local, api, opened -> management = opened);
    } catch (IOException | RuntimeException e) {
      management = null;
      throw e;
    }
    selfCheck = SelfCheck.of(local, engine.eventLoops(), this::leaseHolder);
    selfCheck.start();
    if (local.pair().isPresent()) {
      lifecycle.start(local.pair().get());
    }
    if (local.cluster().isPresent()) {
      clusters.start(local.cluster().get());
    }
  }

  Optional<Management> management() {
    return Optional.ofNullable(management);
  }

  /** What keeps the fence's lease running: the pair's controller or the cluster's groups. */
  private LeaseHolder leaseHolder() {
    GroupPair p = slot.pair();
    return p != null ? p.lease() : clusters.lease();
  }

  /** The pair's or the cluster's stick table; {@code null} while the node runs alone. */
  ReplicatedStickTable replicatedTable() {
    GroupPair p = slot.pair();
    return p != null ? p.stickTable() : clusters.stickTable();
  }

  void close() {
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
  }

  private static void stopping(String part, Runnable close) {
    try {
      close.run();
    } catch (RuntimeException e) {
      log.error("stopping {} failed; stopping the rest", part, e);
    }
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
