package org.lbctl.cluster.groups;

import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this node's word reaches the members: to the view (reliable, in order), and straight to each
 * other configured member (unreliable, out of band). The direct copy reaches a member the view
 * lacks, so it knows this node lives, and one whose reliable stream is held up behind a gap after a
 * blip (in-order delivery waits for the lost messages' retransmission), so this node does not look
 * silent for longer than it was. The stamp lets the receiver drop the slower copy.
 */
final class Speaker {
  private static final Logger log = LoggerFactory.getLogger(Speaker.class);

  private final String self;
  private final Consumer<byte[]> broadcast;
  private final BiConsumer<String, byte[]> direct;
  private static final java.util.concurrent.atomic.AtomicLong LAST_RUN =
      new java.util.concurrent.atomic.AtomicLong();
  // This run's words, numbered: the others drop one that arrives after a later one. Runs are
  // numbered by the wall clock, one apart at least within a process (a pair broken and made
  // again).
  private final long incarnation =
      LAST_RUN.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()));
  private long said;

  Speaker(String self, Consumer<byte[]> broadcast, BiConsumer<String, byte[]> direct) {
    this.self = self;
    this.broadcast = broadcast;
    this.direct = direct;
  }

  static final Speaker SILENT = new Speaker("", bytes -> {}, (member, bytes) -> {});

  /** Says what this node holds, its lease, what it runs, its epoch and the epochs it heard. */
  void say(
      Set<String> held,
      long leaseMillis,
      GroupWord.About about,
      long epoch,
      MemberWords words,
      Set<String> yielding,
      List<String> configured,
      List<String> live) {
    byte[] word =
        GroupWord.of(
            held,
            leaseMillis,
            about,
            epoch,
            words.epochs(),
            yielding,
            new GroupWord.Stamp(incarnation, ++said));
    try {
      broadcast.accept(word);
    } catch (Exception e) {
      log.debug("groups: cannot tell the members: {}", e.getMessage());
    }
    // Two members: each word to the other both ways, since one of two acts on the other's silence.
    // Three or more: only to a member the view lacks; a member in the view is never taken over,
    // and a copy to each would double every member's traffic and wake-ups.
    boolean everyone = configured.size() <= 2;
    for (String m : configured) {
      if (!m.equals(self) && (everyone || !live.contains(m))) {
        try {
          direct.accept(m, word);
        } catch (RuntimeException e) {
          log.debug("groups: cannot tell {}: {}", m, e.getMessage());
        }
      }
    }
  }
}
