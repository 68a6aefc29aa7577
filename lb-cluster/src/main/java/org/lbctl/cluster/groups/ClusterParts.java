package org.lbctl.cluster.groups;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import javax.crypto.SecretKey;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.pair.PairSecret;
import org.lbctl.cluster.placement.Quorum;
import org.lbctl.cluster.sync.AccountSync;
import org.lbctl.cluster.sync.ClusterSync;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.status.ClusterStatus;
import org.lbctl.persistence.ReplicatedStickTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in a cluster, started and stopped in order: the replicated stick table (caught
 * up before anything else), the fence (every floating address silent), the data plane serving only
 * what never floats, then the group controller on the cluster's membership, which takes and
 * releases VIP groups from then on.
 */
public final class ClusterParts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterParts.class);

  private final ClusterSettings settings;
  private final MemberConfig config;
  private final Runnable onRemoved;
  private final TwoNodeHooks hooks;
  private RosterWatch members;
  private ClusterSticks sticks;
  private Fence fence = Fence.NONE;
  private FloatingIpOwner owner;
  private NodeGroupHost host;
  private GroupController controller;
  private volatile MemberLink link;
  private volatile ClusterSync sync;
  private volatile AccountSync accounts;

  private ClusterParts(
      ClusterSettings settings,
      Supplier<ReplicatedConfig> config,
      Supplier<ConfigVersion> version,
      Runnable onRemoved,
      TwoNodeHooks hooks) {
    this.settings = settings;
    this.hooks = hooks;
    this.config = new MemberConfig(settings, config, version);
    this.onRemoved = onRemoved;
  }

  /** The members counted now, this node among them. */
  public Roster roster() {
    return members.current();
  }

  /**
   * Joins the cluster {@code settings} name. Returns once this node holds the whole stick table and
   * is in a view; the groups follow as the members speak.
   *
   * @param onRemoved called (on a thread of its own, once) when a configuration version no longer
   *     lists this node: it has left the cluster, and the caller takes its parts down
   * @throws IOException when this node is not among the configuration's members, or a part cannot
   *     start
   */
  public static ClusterParts start(
      ClusterSettings settings,
      Supplier<ReplicatedConfig> config,
      ConfigReplica replica,
      DataPlane plane,
      Runnable onRemoved)
      throws IOException {
    return start(settings, config, replica, plane, onRemoved, TwoNodeHooks.NONE);
  }

  /** ... for one of a pair, with {@code hooks}. */
  public static ClusterParts start(
      ClusterSettings settings,
      Supplier<ReplicatedConfig> config,
      ConfigReplica replica,
      DataPlane plane,
      Runnable onRemoved,
      TwoNodeHooks hooks)
      throws IOException {
    ClusterParts parts = new ClusterParts(settings, config, replica::version, onRemoved, hooks);
    try {
      parts.startAll(replica, plane);
    } catch (IOException | RuntimeException e) {
      parts.close();
      throw e;
    }
    return parts;
  }

  private void startAll(ConfigReplica replica, DataPlane plane) throws IOException {
    Roster roster = config.roster();
    roster.requireSelf();
    members = new RosterWatch(roster, onRemoved);
    SecretKey key = PairSecret.load(settings.secretFile());
    sticks =
        ClusterSticks.start(
            settings.name(),
            roster.selfAddress(),
            roster.members(),
            key,
            plane.sticks(),
            plane.kernel(),
            plane.announce());
    fence = Fences.of(settings);
    fence.guard(config.get().allFloatingIps());
    owner = new FloatingIpOwner(settings.device(), List.of());
    // What a previous run left on the interface (a crash, a failed cleanup) goes first: the lease
    // covers every floating address, and a leftover would answer beside its group's holder.
    owner.release(config.get().allFloatingIps());
    host = new NodeGroupHost(config, plane.engine(), owner, plane.kernel()::syncNow);
    try {
      host.start();
    } catch (org.lbctl.core.config.ConfigException e) {
      throw new IOException("cannot open the listeners that never float: " + e.getMessage(), e);
    }
    controller =
        new GroupController(
            settings.name(),
            () -> GroupLayout.rules(config.get()),
            roster.names(),
            host,
            fence,
            System::nanoTime,
            config::about,
            MemberProbes.processes(this::roster),
            MemberProbes.network(settings.pingTargets(), roster.names().size()));
    controller.onHoldingsChange(hooks.holdings());
    // From here on every configuration change, a synced one included, guards its addresses.
    plane.onConfigChange().accept(this::configChanged);
    link = new MemberLink(roster);
    MemberLink joined = link;
    sync = new ClusterSync(settings.name(), replica, joined::broadcast, System::nanoTime);
    accounts = new AccountSync(plane.accounts(), joined::broadcast, System::nanoTime);
    joined.join(
        settings.name(),
        roster,
        key,
        controller::onView,
        controller::onSuspect,
        new MemberMessages(sync, accounts, hooks.onBreak(), controller));
    // From here on a member joining or leaving reaches every part that names the members.
    members.follow(joined::follow);
    members.follow(r -> sticks.discoverAt(r.members(), r.selfAddress()));
    members.follow(r -> controller.members(r.names()));
    controller.start(joined::broadcast, joined::sendDirect);
    sync.start(() -> controller.status().versions(settings.name()));
    accounts.start();
  }

  /** This node's name among the members. */
  public String self() {
    return settings.name();
  }

  /** The cluster secret's file, handed to a node that joins. */
  public java.nio.file.Path secretFile() {
    return settings.secretFile();
  }

  /** The running configuration changed: guard its addresses, and let the groups follow it. */
  public void configChanged() {
    if (members != null) {
      members.changed(config.roster());
    }
    try {
      fence.guard(config.get().allFloatingIps());
    } catch (IOException e) {
      log.error("fence: cannot guard the new floating IPs: {}", e.getMessage());
    }
    if (controller != null) {
      controller.reconsider();
    }
  }

  /**
   * Why this member refuses configuration edits now: outside a quorum an edit could win over the
   * majority's (the newest version wins when the sides meet again).
   */
  public java.util.Optional<String> editRefusal() {
    GroupController c = controller;
    return c == null
        ? java.util.Optional.empty()
        : Quorum.editRefusal(c.status().quorum(), roster().names());
  }

  /** Keeps the fence's lease running; the node's self-check renews through it. */
  public LeaseHolder lease() {
    return controller == null ? null : controller.lease();
  }

  public ReplicatedStickTable stickTable() {
    return sticks == null ? null : sticks.table();
  }

  public ClusterStatus status() {
    if (controller == null) {
      return null;
    }
    return ClusterStatusView.of(
        settings.name(),
        roster().members(),
        config.get(),
        controller.status(),
        controller.lease().leaseWanted(Long.MAX_VALUE),
        link == null ? 0 : link.dropped(),
        link == null ? new long[2] : link.refused());
  }

  /**
   * Hands every group this node holds to the other members (an operator's failover).
   *
   * @see GroupController#handOver
   */
  public java.util.Set<String> handOver() throws Exception {
    return controller.handOver();
  }

  /**
   * Tells the other member that the pair is over. The controller stops deciding first, holding what
   * it holds: the peer leaving the view now is no crash to take its groups after.
   */
  public void sendBreak() {
    controller.detach();
    PairBreak.send(link::broadcast);
  }

  /** The members this node's group controller counts as live (see GroupController#live). */
  public List<String> live() {
    GroupController c = controller;
    return c == null ? List.of() : c.live();
  }

  /** The members in this node's view now, this node among them. */
  public List<String> inView() {
    MemberLink l = link;
    return l == null ? List.of() : l.inView();
  }

  /**
   * Waits (at most {@code wait}) for {@code member} to leave this node's view.
   *
   * @return whether it left
   */
  public boolean awaitOutOfView(String member, java.time.Duration wait)
      throws InterruptedException {
    MemberLink l = link;
    return l == null || l.awaitOutOfView(member, wait);
  }

  /**
   * Leaves the cluster as a pair's node does when the pair is broken: whatever it holds stays on it
   * (listeners and addresses), and its fence goes, so it answers on alone.
   */
  public void detach() {
    stop(false);
  }

  /** Gives every group up (addresses first), leaves the cluster, and removes the fence. */
  @Override
  public void close() {
    stop(true);
  }

  private void stop(boolean release) {
    if (accounts != null) {
      accounts.close();
    }
    if (sync != null) {
      sync.close();
    }
    if (controller != null) {
      if (release) {
        controller.close();
      } else {
        controller.detach();
      }
    }
    if (link != null) {
      link.close();
    }
    if (owner != null) {
      owner.close();
    }
    if (release && controller != null && !controller.holding().isEmpty()) {
      // A release failed: its addresses are still here. The fence stays, shut, so they answer
      // nobody while another member serves them; 'lbctl cleanup' removes both.
      try {
        fence.shut();
      } catch (IOException e) {
        log.error("fence: cannot shut it on leaving: {}", e.getMessage());
      }
      log.error(
          "cluster: left while still holding {} (a release failed); its addresses stay on {}"
              + " behind a shut fence: run 'lbctl cleanup'",
          controller.holding(),
          settings.device());
    } else {
      fence.close();
    }
    if (sticks != null) {
      sticks.close();
    }
  }
}
