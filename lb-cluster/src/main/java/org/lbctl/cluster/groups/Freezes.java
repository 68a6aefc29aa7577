package org.lbctl.cluster.groups;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node does after its controller did not run for a while (SIGSTOP, a long GC, a stunned
 * VM): the others may have taken its groups meanwhile, so it goes silent at once, gives every group
 * up, and starts a new epoch, which the others' words must echo before they count again. Worker
 * thread only.
 */
final class Freezes {
  private static final Logger log = LoggerFactory.getLogger(Freezes.class);

  private final String self;
  private final GroupLease lease;
  private final MemberWords words;
  private final Holdings held;
  // Grows with every freeze of this node (see GroupWord).
  private long epoch;

  Freezes(String self, GroupLease lease, MemberWords words, Holdings held) {
    this.self = self;
    this.lease = lease;
    this.words = words;
    this.held = held;
  }

  long epoch() {
    return epoch;
  }

  /** This node's worker did not run for {@code gap} nanoseconds, until {@code now}. */
  void stalled(long now, long gap) {
    try {
      lease.shut();
    } catch (java.io.IOException e) {
      log.error("groups: cannot shut the fence after a stall: {}", e.getMessage());
    }
    words.stalled(now);
    epoch++;
    log.error(
        "groups: {} stalled for {} ms (its controller did not run); it gives up {} and waits to"
            + " hear every member again",
        self,
        gap / 1_000_000,
        held.mine().isEmpty() ? "nothing" : held.mine());
    held.releaseAll("it stalled");
  }
}
