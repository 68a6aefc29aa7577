package org.lbctl.cluster.pair;

/**
 * When this node sent its recent heartbeats, by sequence number: a peer's announcement echoes the
 * last one it heard, which tells how fresh the peer's picture of this node was when it wrote.
 *
 * <p>A passive node must not take the active role on the word of a passive peer that has not heard
 * it for a while: that peer may be counting this node's silence toward a takeover of its own, and
 * both would answer until their announcements cross.
 */
final class SentHeartbeats {
  private static final int KEPT = 64;

  private final long[] seqs = new long[KEPT];
  private final long[] times = new long[KEPT];
  private int next;

  void sent(long seq, long now) {
    seqs[next] = seq;
    times[next] = now;
    next = (next + 1) % KEPT;
  }

  /**
   * Whether the heartbeat {@code seq} was sent at or after {@code since}; a heartbeat older than
   * the last {@value #KEPT} is taken as old.
   */
  boolean sentSince(long seq, long since) {
    for (int i = 0; i < KEPT; i++) {
      if (seqs[i] == seq && seq != 0) {
        return times[i] >= since;
      }
    }
    return false;
  }
}
