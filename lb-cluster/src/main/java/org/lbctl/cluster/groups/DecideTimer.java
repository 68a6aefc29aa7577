package org.lbctl.cluster.groups;

/**
 * Runs the controller's decision at a given moment (when a departed member's groups may be taken)
 * rather than at the next tick, which would add up to 200 ms to a takeover; one such decision is
 * due at a time. Used by the group controller's one thread only.
 */
final class DecideTimer {
  private final GroupWorker worker;
  private final Runnable decide;
  private long decideAt = Long.MIN_VALUE;

  DecideTimer(GroupWorker worker, Runnable decide) {
    this.worker = worker;
    this.decide = decide;
  }

  /** Decides again at {@code at} (a time of the controller's clock); nothing for MAX_VALUE. */
  void decideBy(long at, long now) {
    if (at == Long.MAX_VALUE) {
      return;
    }
    if (decideAt != Long.MIN_VALUE && decideAt - now >= 0 && decideAt - at <= 0) {
      return; // one is due already, no later than this
    }
    decideAt = at;
    worker.after(Math.max(0, at - now) + 1_000_000L, decide);
  }
}
