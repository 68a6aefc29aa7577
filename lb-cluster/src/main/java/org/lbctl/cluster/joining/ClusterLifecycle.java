package org.lbctl.cluster.joining;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.groups.ClusterParts;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.groups.GroupMove;
import org.lbctl.cluster.groups.ImplicitGroup;
import org.lbctl.cluster.pairing.PairSlot;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.JoinOrder;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.status.ClusterStatus;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.persistence.ReplicatedStickTable;

/**
 * A node's life as a cluster member: its part started at boot or on joining, the invitations it
 * makes, its leaving, and the edits of members and groups, each a configuration version that every
 * member runs. The node hands every cluster request of the API here.
 */
public final class ClusterLifecycle {
  private final ConfigInstaller installer;
  private final DataPlane plane;
  private final Supplier<NodeStatus> status;
  private final MemberSlot members;
  private final Invitations invitations;
  private final Joining joining;
  private final Leaving leaving;

  public ClusterLifecycle(
      PairSlot slot, ConfigInstaller installer, DataPlane plane, Supplier<NodeStatus> status) {
    this.installer = installer;
    this.plane = plane;
    this.status = status;
    this.members = new MemberSlot(installer);
    this.invitations = new Invitations(members, installer);
    this.joining = new Joining(members, slot, installer, plane, this::start);
    this.leaving = new Leaving(members, slot, installer, plane, invitations::close);
  }

  /** Starts this node's part in the cluster {@code settings} name (at boot, or on joining). */
  public void start(ClusterSettings settings) throws IOException {
    ClusterParts p =
        ClusterParts.start(
            settings, installer::runningConfig, installer, plane, leaving::onRemoved);
    members.set(p);
    installer.editGate(p::editRefusal);
    // Now that the node finds the cluster's stick table: tell the others its real-server lists.
    installer.announceRealServers();
  }

  public boolean member() {
    return members.parts() != null;
  }

  /** What keeps the fence's lease running; {@code null} for a node that is no member. */
  public LeaseHolder lease() {
    ClusterParts p = members.parts();
    return p == null ? null : p.lease();
  }

  public ReplicatedStickTable stickTable() {
    ClusterParts p = members.parts();
    return p == null ? null : p.stickTable();
  }

  public ClusterStatus status() {
    ClusterParts p = members.parts();
    return p == null ? null : p.status();
  }

  /** The members counted now; empty for a node that is no member. */
  public List<String> names() {
    ClusterParts p = members.parts();
    return p == null ? List.of() : p.roster().names();
  }

  /** See {@code NodeControl.moveGroup}. */
  public NodeStatus moveGroup(String group, String node) throws ApiException {
    ClusterParts p = members.require();
    List<String> names = p.roster().names();
    // A two-member cluster's implicit group becomes explicit as it moves.
    members.edit(
        running -> GroupMove.move(ImplicitGroup.apply(running, names), group, node, names));
    return status.get();
  }

  /** See {@code NodeControl.inviteToCluster}. */
  public PairingOffer invite(Optional<InetSocketAddress> listen) throws ApiException {
    return invitations.invite(listen);
  }

  /**
   * See {@code NodeControl.joinCluster}; {@code hostname} names this node when the order does not.
   */
  public NodeStatus join(JoinOrder order, String hostname) throws ApiException {
    joining.join(order, hostname);
    return status.get();
  }

  /** See {@code NodeControl.leaveCluster}. */
  public NodeStatus leave() throws ApiException {
    leaving.leave();
    return status.get();
  }

  /** See {@code NodeControl.removeMember}. */
  public NodeStatus remove(String member) throws ApiException {
    leaving.remove(member);
    return status.get();
  }

  /** Stops this node's part in the cluster (the node stops); it stays a member. */
  public void close() {
    invitations.close();
    ClusterParts p = members.parts();
    if (p != null) {
      p.close();
    }
  }
}
