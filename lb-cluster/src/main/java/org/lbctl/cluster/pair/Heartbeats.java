package org.lbctl.cluster.pair;

import java.security.SecureRandom;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;

/**
 * This node's announcements to the peer: numbered within a random incarnation, each remembered when
 * sent (to tell later whether the peer's word answers a recent one), each echoing the peer's last.
 */
final class Heartbeats {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What this node says of itself in one heartbeat. */
  record Self(
      PairRole role,
      PairState state,
      boolean handover,
      ConfigVersion config,
      List<String> owned,
      long term,
      long leaseMillis,
      boolean answering) {}

  private final long incarnation = RANDOM.nextLong() & Long.MAX_VALUE;
  private final SentHeartbeats sent = new SentHeartbeats();
  private final LongSupplier clock;
  // Where heartbeats go: the peer through JGroups, or a test's list.
  private Consumer<byte[]> sink = bytes -> {};
  private long seq;

  Heartbeats(LongSupplier clock) {
    this.clock = clock;
  }

  void sendTo(Consumer<byte[]> sink) {
    this.sink = sink;
  }

  long incarnation() {
    return incarnation;
  }

  /** The number the next heartbeat carries. */
  long next() {
    return seq + 1;
  }

  void send(Self self, PeerWord peer, boolean probe) {
    seq++;
    sent.sent(seq, clock.getAsLong());
    sink.accept(
        new StateAnnouncement(
                self.role(),
                self.state(),
                self.handover(),
                self.config(),
                self.owned(),
                self.term(),
                incarnation,
                seq,
                peer.seq(),
                peer.incarnation(),
                self.leaseMillis(),
                self.answering(),
                probe)
            .toBytes());
  }

  /** Whether {@code a} answers a heartbeat of this process sent at or after {@code since}. */
  boolean answeredSince(StateAnnouncement a, long since) {
    return a.echoIncarnation() == incarnation && sent.sentSince(a.echo(), since);
  }

  /** Whether {@code a} was written after the peer heard heartbeat {@code seq} or a later one. */
  boolean answeredFrom(StateAnnouncement a, long seq) {
    return a.echoIncarnation() == incarnation && a.echo() >= seq;
  }
}
