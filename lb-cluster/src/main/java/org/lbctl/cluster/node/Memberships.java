package org.lbctl.cluster.node;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.lbctl.cluster.joining.ClusterLifecycle;
import org.lbctl.cluster.pairing.PairLifecycle;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.JoinOrder;
import org.lbctl.core.api.PairOrder;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.status.NodeStatus;

/**
 * The commands that make this node one of a pair or of a cluster, or end that, with the rule
 * between the two: a node is in one pair or one cluster at a time.
 */
final class Memberships {
  private final PairLifecycle pairs;
  private final ClusterLifecycle clusters;
  private final String name;

  Memberships(PairLifecycle pairs, ClusterLifecycle clusters, String name) {
    this.pairs = pairs;
    this.clusters = clusters;
    this.name = name;
  }

  PairingOffer acceptPairing(InetSocketAddress listen) throws ApiException {
    refuseInCluster("offer pairing");
    return pairs.acceptPairing(listen);
  }

  NodeStatus pair(PairOrder order) throws ApiException {
    refuseInCluster("pair");
    return pairs.pair(order);
  }

  NodeStatus breakPair(boolean force) throws ApiException {
    return pairs.breakPair(force);
  }

  NodeStatus moveGroup(String group, String node) throws ApiException {
    if (!clusters.member()) {
      throw new ApiException(
          409,
          "this node is not a member of a cluster: VIP groups move between a cluster's members");
    }
    return clusters.moveGroup(group, node);
  }

  PairingOffer invite(Optional<InetSocketAddress> listen) throws ApiException {
    return clusters.invite(listen);
  }

  NodeStatus join(JoinOrder order) throws ApiException {
    if (pairs.offering()) {
      throw new ApiException(
          409, "this node offers pairing (`lbctl pair --accept`): it cannot also join a cluster");
    }
    return clusters.join(order, name);
  }

  NodeStatus leave() throws ApiException {
    return clusters.leave();
  }

  NodeStatus remove(String member) throws ApiException {
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
}
