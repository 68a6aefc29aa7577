package org.lbctl.cluster.pair;

import java.util.Optional;
import org.lbctl.cluster.sync.ConfigSync;
import org.lbctl.core.config.PairSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the role to take on what is known now, alone or with the peer, and logs a wait once. It
 * changes nothing itself: the controller carries a {@link Verdict} out.
 */
final class RoleJudge {
  private static final Logger log = LoggerFactory.getLogger(PairController.class);

  /** A role to take, and why. */
  record Verdict(PairState next, String why) {}

  private final PairSettings settings;
  private final Liveness liveness;
  private final PingTargets pingTargets;
  private final TermStore terms;
  private final ConfigSync sync;
  // A lone node newly made secondary: it takes over only once it has heard its primary.
  private boolean awaitingPeer;
  private boolean awaitLogged;
  private boolean aloneLogged;

  RoleJudge(
      PairSettings settings,
      Liveness liveness,
      PingTargets pingTargets,
      TermStore terms,
      ConfigSync sync) {
    this.settings = settings;
    this.liveness = liveness;
    this.pingTargets = pingTargets;
    this.terms = terms;
    this.sync = sync;
  }

  void awaitPeer(boolean awaiting) {
    this.awaitingPeer = awaiting;
  }

  /** With no peer in the pair: a passive node takes over once the peer's lease surely lapsed. */
  Optional<Verdict> alone(PairState state, long now, String reason) {
    if (state != PairState.PASSIVE) {
      return Optional.empty();
    }
    if (awaitingPeer) {
      if (!awaitLogged) {
        log.warn(
            "pair: newly paired, waiting for the primary ({}) before this node may become active",
            settings.peer().getAddress().getHostAddress());
        awaitLogged = true;
      }
      return Optional.empty();
    }
    if (!liveness.peerSurelySilent(now)) {
      return Optional.empty(); // Its lease may still run: wait it out.
    }
    if (!liveness.networkSettled(now)) {
      if (!aloneLogged && liveness.networkLostNow()) {
        log.warn(
            "pair: alone and none of the ping targets {} answers; staying passive until one does",
            pingTargets.targets());
        aloneLogged = true;
      }
      return Optional.empty();
    }
    aloneLogged = false;
    String why;
    if (!liveness.heardEver()) {
      why = reason == null ? "no peer in the pair" : reason;
    } else if (liveness.lostByCrash()) {
      why =
          "the peer was lost: out of the view and silent for "
              + liveness.silence(now) / 1_000_000
              + " ms (its process is gone)";
    } else {
      why =
          "the peer was lost: silent for "
              + liveness.silence(now) / 1_000_000
              + " ms, so its lease has lapsed";
    }
    return Optional.of(new Verdict(PairState.ACTIVE, why));
  }

  /**
   * With the peer present: {@link RoleDecider} on its latest word.
   *
   * @param heardLately the peer's word answers a heartbeat this node sent within the last second
   */
  Optional<Verdict> withPeer(
      PairState state,
      long activeTerm,
      PeerWord peer,
      boolean yielding,
      boolean heardLately,
      String reason) {
    Optional<PairState> peerState = peer.state();
    long peerTerm = peer.term();
    PairState next =
        RoleDecider.decide(
            new RoleInputs(
                settings.role(),
                state,
                true,
                peerState,
                true,
                settings.failback(),
                yielding,
                sync.behind(),
                sync.peerBehind(),
                state == PairState.ACTIVE ? activeTerm : terms.current(),
                peerTerm));
    if (next == PairState.ACTIVE && state == PairState.PASSIVE && awaitingPeer) {
      return Optional.empty();
    }
    if (next == PairState.ACTIVE && state == PairState.PASSIVE && !heardLately) {
      // Its word may predate a takeover of its own: it may have been counting this node's
      // silence. Its next announcement, written after hearing this node, decides.
      return Optional.empty();
    }
    if (next == state) {
      return Optional.empty();
    }
    String why = reason == null ? "the peer is " + peerState.get().displayName() : reason;
    if (next == PairState.PASSIVE && peerState.orElse(null) == PairState.ACTIVE) {
      why = "the peer is active at term " + peerTerm + " (this node at " + activeTerm + ")";
    }
    return Optional.of(new Verdict(next, why));
  }
}
