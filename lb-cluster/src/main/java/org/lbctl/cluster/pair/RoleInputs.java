package org.lbctl.cluster.pair;

import java.util.Optional;
import org.lbctl.core.config.PairRole;

/**
 * Everything the role decision depends on, at one moment.
 *
 * @param peerState what the peer last announced; empty until it has said anything in this view
 * @param pingTargetsReachable at least one ping target answers (true when none are configured)
 * @param failback this node, when secondary and active, hands the role back to a recovered primary
 * @param yielding this node gave the active role away on purpose (manual failover) and must not
 *     take it back while the peer is there
 * @param configBehind the peer runs a newer configuration, which this node has not taken yet
 * @param peerConfigBehind this node runs a newer configuration than the peer
 * @param term the term this node became active at (when active), else the highest it has seen
 * @param peerTerm the same of the peer, from its last announcement
 */
public record RoleInputs(
    PairRole role,
    PairState current,
    boolean peerPresent,
    Optional<PairState> peerState,
    boolean pingTargetsReachable,
    boolean failback,
    boolean yielding,
    boolean configBehind,
    boolean peerConfigBehind,
    long term,
    long peerTerm) {

  /** Both nodes on the same configuration. */
  public RoleInputs(
      PairRole role,
      PairState current,
      boolean peerPresent,
      Optional<PairState> peerState,
      boolean pingTargetsReachable,
      boolean failback,
      boolean yielding) {
    this(
        role,
        current,
        peerPresent,
        peerState,
        pingTargetsReachable,
        failback,
        yielding,
        false,
        false,
        0,
        0);
  }
}
