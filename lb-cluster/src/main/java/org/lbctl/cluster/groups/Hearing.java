package org.lbctl.cluster.groups;

import java.util.List;
import org.lbctl.cluster.members.Detection;

/**
 * Whether this node hears enough of the cluster to act: a majority of the members; for two members
 * (a pair) its peer, or else the network, asked once the peer has been quiet for {@link
 * Detection#PING_AFTER_NANOS}.
 */
final class Hearing {
  private final NetworkWitness witness;

  Hearing(NetworkWitness witness) {
    this.witness = witness;
  }

  /**
   * Until when this node may renew its lease: while a majority's words are fresh, or for a pair
   * while the network answered lately.
   */
  long until(List<String> configured, MemberWords words) {
    long majority = words.majorityHeardUntil();
    if (configured.size() != 2) {
      return majority;
    }
    long network = witness.reachableUntil();
    if (majority == Long.MIN_VALUE || network == Long.MIN_VALUE) {
      return majority == Long.MIN_VALUE ? network : majority;
    }
    return majority - network >= 0 ? majority : network; // by difference: the clock may wrap
  }

  /** Whether the network answered lately; what lets one of two act without the other. */
  boolean networkAnswers(long now) {
    long until = witness.reachableUntil();
    return until != Long.MIN_VALUE && now - until < 0;
  }

  /**
   * For a pair just started: whether its peer, never heard yet, may hold groups. One of two cannot
   * tell a dead peer from one it has not found yet, so it takes nothing for as long as a peer's
   * lease and the silence before a takeover last ({@link #START_GRACE_NANOS}).
   */
  boolean peerUnknown(String self, List<String> configured, MemberWords words, long sinceStart) {
    if (configured.size() != 2 || sinceStart >= START_GRACE_NANOS) {
      return false;
    }
    return configured.stream().anyMatch(m -> !m.equals(self) && !words.everHeard(m));
  }

  /** A peer's default lease, the silence a takeover waits and its margin. */
  static final long START_GRACE_NANOS =
      Detection.SELF_FENCE_NANOS + 1_000_000_000L + MemberSilence.MARGIN_NANOS;

  /** For a pair whose peer is quiet or out of the view: asks the network. */
  void askIfPeerQuiet(
      String self,
      List<String> configured,
      List<String> live,
      MemberWords words,
      long now,
      Runnable answered) {
    if (configured.size() != 2) {
      return;
    }
    for (String peer : configured) {
      if (peer.equals(self)) {
        continue;
      }
      long ago = words.heardAgoMillis(peer, now);
      if (!live.contains(peer) || ago < 0 || ago * 1_000_000 >= Detection.PING_AFTER_NANOS) {
        witness.ask(answered);
      }
    }
  }

  void close() {
    witness.close();
  }
}
