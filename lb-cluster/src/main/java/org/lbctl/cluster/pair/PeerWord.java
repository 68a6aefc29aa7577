package org.lbctl.cluster.pair;

import java.util.Optional;

/**
 * What the peer last said, and when. Announcements are taken in order: one that is not newer than
 * the last taken of the same incarnation arrived late and is dropped. Written by the pair's worker;
 * the time heard is read by the status from other threads.
 */
final class PeerWord {
  private Optional<StateAnnouncement> said = Optional.empty();
  private long incarnation;
  private long seq;
  private volatile long heardNanos;
  private volatile boolean heard;

  PeerWord(long now) {
    this.heardNanos = now;
  }

  /** Takes {@code a} heard at {@code now}, unless it is late; returns whether it was taken. */
  boolean take(StateAnnouncement a, long now) {
    if (a.incarnation() == incarnation && a.seq() <= seq && a.seq() != 0) {
      return false;
    }
    incarnation = a.incarnation();
    seq = a.seq();
    said = Optional.of(a);
    heardNanos = now;
    heard = true;
    return true;
  }

  Optional<StateAnnouncement> said() {
    return said;
  }

  Optional<PairState> state() {
    return said.map(StateAnnouncement::state);
  }

  long term() {
    return said.map(StateAnnouncement::term).orElse(0L);
  }

  /** The last sequence number taken, echoed in this node's heartbeats. */
  long seq() {
    return seq;
  }

  long incarnation() {
    return incarnation;
  }

  /** Whether the peer was ever heard by this process. */
  boolean heard() {
    return heard;
  }

  long ageMillis(long now) {
    return (now - heardNanos) / 1_000_000;
  }
}
