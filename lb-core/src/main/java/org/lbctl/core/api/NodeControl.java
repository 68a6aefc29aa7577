package org.lbctl.core.api;

import java.net.InetSocketAddress;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.proxy.ListenerChanges;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.StickTableStatus;

/** What the management API can ask of a node. The node (in lb-cluster) implements it. */
public interface NodeControl {
  NodeStatus status();

  /** The management users, their roles and their API tokens. */
  AccountControl accounts();

  ReplicatedConfig runningConfig();

  /**
   * Runs {@code document} as the new configuration and writes it to the configuration file (the
   * previous file is kept beside it as {@code .previous}); a node on its embedded configuration
   * runs it in memory.
   *
   * @param basedOn the hash of the configuration the editor read
   * @throws ApiException 409 when {@code basedOn} is not the running configuration's hash or this
   *     node may not take edits (a passive secondary); 422 with every problem when the document is
   *     refused; nothing changed then
   */
  ListenerChanges replaceConfig(byte[] document, String basedOn) throws ApiException;

  /**
   * Loads the configuration file again and applies the difference.
   *
   * @throws ApiException 422 with every problem when the file is refused; nothing changed then
   */
  ListenerChanges reload() throws ApiException;

  /**
   * Sets the admin state of a real server.
   *
   * @return the state it had
   * @throws ApiException 404 naming the unknown virtual service or real server
   */
  AdminState setAdminState(String virtualService, String realServer, AdminState state)
      throws ApiException;

  /**
   * The live entries of a virtual service's stick table.
   *
   * @throws ApiException 404 naming the known virtual services
   */
  StickTableStatus stickTable(String virtualService) throws ApiException;

  /**
   * Empties a virtual service's stick table (the guides' "Clear Table"): its clients are balanced
   * afresh from their next connection.
   *
   * @return how many entries were dropped
   * @throws ApiException 404 naming the known virtual services
   */
  int clearStickTable(String virtualService) throws ApiException;

  /**
   * Hands the active role to the peer (manual failover).
   *
   * @return the status after the handover
   * @throws ApiException 409 when this node runs alone, is passive, or has no peer
   */
  NodeStatus failover() throws ApiException;

  /**
   * Lets a secondary accept configuration edits while its primary is down.
   *
   * @param force promote although the primary only went silent (it may be alive behind a partition,
   *     taking edits of its own): the operator knows it is down
   * @throws ApiException 409 naming why not (the primary is up, this node is the primary, the
   *     primary is only unreachable, ...)
   */
  void promote(boolean force) throws ApiException;

  /**
   * Opens this lone node to pairing: it listens at {@code listen} (TCP, the pair port) for one
   * primary that presents the returned token, for a few minutes.
   *
   * @return the token and how long it is valid
   * @throws ApiException 409 when this node is in a pair already or runs without a file
   */
  PairingOffer acceptPairing(InetSocketAddress listen) throws ApiException;

  /**
   * Pairs this lone node, as the primary, with a peer that offered a token.
   *
   * @throws ApiException 409 when the peer refuses (wrong token, virtual services of its own
   *     without force, ...), 502 when it cannot be reached; nothing changed on either node then
   */
  NodeStatus pair(PairOrder order) throws ApiException;

  /**
   * Moves a cluster's VIP group to a member: an edit of the configuration (the member first in the
   * group's preference, failback on) that reaches every member.
   *
   * @throws ApiException 409 unless this node is a member of a cluster; 404 for an unknown group,
   *     400 for a node that is not a member
   */
  default NodeStatus moveGroup(String group, String node) throws ApiException {
    throw new ApiException(
        409, "this node is not a member of a cluster: VIP groups move between a cluster's members");
  }

  /**
   * Opens this cluster member to one joining node: it listens at {@code listen} (TCP; empty: its
   * cluster address) for a node that presents the returned token, for a few minutes.
   *
   * @throws ApiException 409 unless this node is a member in a quorum
   */
  default PairingOffer inviteToCluster(java.util.Optional<InetSocketAddress> listen)
      throws ApiException {
    throw new ApiException(409, NOT_A_MEMBER);
  }

  /**
   * Makes this lone node a member of the cluster of the member that invited it: the member adds it
   * to the configuration's member list and hands it the secret and the configuration.
   *
   * @throws ApiException 409 when this node is in a pair or a cluster already, or the member
   *     refuses; 502 when the member cannot be reached; nothing changed on either node then
   */
  default NodeStatus joinCluster(JoinOrder order) throws ApiException {
    throw new ApiException(409, "this node cannot join a cluster");
  }

  /**
   * Takes this member out of its cluster: out of the configuration's member list (a version every
   * member runs), its groups handed to the others; it then runs alone on an empty configuration.
   */
  default NodeStatus leaveCluster() throws ApiException {
    throw new ApiException(409, NOT_A_MEMBER);
  }

  /** Takes {@code member} out of the cluster's member list, as {@link #leaveCluster} does. */
  default NodeStatus removeMember(String member) throws ApiException {
    throw new ApiException(409, NOT_A_MEMBER);
  }

  /** Why a node that is no member of a cluster refuses the cluster's commands. */
  String NOT_A_MEMBER = "this node is not a member of a cluster";

  /**
   * Undoes a pair made by {@code lbctl pair} on both nodes; the active node keeps its addresses.
   *
   * @param force also when the peer is absent (it keeps its pair settings then)
   */
  NodeStatus breakPair(boolean force) throws ApiException;
}
