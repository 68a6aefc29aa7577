package org.lbctl.cluster.pair;

import org.lbctl.core.config.PairRole;

/**
 * Decides whether this node should be active. Pure: the same inputs give the same answer, and both
 * nodes apply the same rules, so they agree without a third party.
 *
 * <ul>
 *   <li>Alone: be active only while a ping target answers. A node cut off from the network neither
 *       grabs the addresses nor keeps them: it cannot serve them anyway, and its peer, if alive,
 *       needs them.
 *   <li>Both active (after a partition heals, or a race): the node that became active at the higher
 *       term keeps the role (it took over last, so clients follow it now); on equal terms the
 *       primary keeps it.
 *   <li>Both passive: the primary takes the role (the pair starting up).
 *   <li>The peer is active: stay passive. With failback, an active secondary steps down once the
 *       recovered primary is back and passive; without it (the default), it stays.
 *   <li>Until the peer has announced its state in this view, keep the current state.
 *   <li>A node that has not taken the peer's newer configuration yet does not become active (it
 *       would serve virtual services the pair no longer has); both passive, the node with the
 *       current configuration takes the role, whichever its role.
 * </ul>
 */
public final class RoleDecider {
  private RoleDecider() {}

  public static PairState decide(RoleInputs in) {
    if (!in.peerPresent()) {
      return in.pingTargetsReachable() ? PairState.ACTIVE : PairState.PASSIVE;
    }
    if (in.yielding()) {
      return PairState.PASSIVE;
    }
    if (in.peerState().isEmpty()) {
      return in.current();
    }
    boolean primary = in.role() == PairRole.PRIMARY;
    PairState peer = in.peerState().get();
    if (peer == PairState.ACTIVE) {
      if (in.current() != PairState.ACTIVE) {
        return PairState.PASSIVE;
      }
      if (in.term() != in.peerTerm()) {
        return in.term() > in.peerTerm() ? PairState.ACTIVE : PairState.PASSIVE;
      }
      return primary ? PairState.ACTIVE : PairState.PASSIVE;
    }
    // The peer is passive.
    if (in.current() == PairState.ACTIVE) {
      return !primary && in.failback() && !in.peerConfigBehind()
          ? PairState.PASSIVE
          : PairState.ACTIVE;
    }
    if (in.configBehind()) {
      return PairState.PASSIVE;
    }
    if (in.peerConfigBehind()) {
      return PairState.ACTIVE;
    }
    return primary ? PairState.ACTIVE : PairState.PASSIVE;
  }
}
