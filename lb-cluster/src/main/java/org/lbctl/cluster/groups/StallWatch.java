package org.lbctl.cluster.groups;

import java.util.function.LongSupplier;
import org.lbctl.cluster.members.Detection;

/**
 * Notices that this node did not run: a gap of {@link Detection#STALL_NANOS} or more between two
 * steps of a controller's worker (the pair's, or a cluster's group controller) means it was frozen
 * (SIGSTOP, a long GC, a stunned VM). Checked first in every step, so a frozen node acts on no news
 * before it has distrusted itself.
 */
public final class StallWatch {
  /** Told of a stall once, when the next step runs. */
  public interface Stalled {
    void stalled(long now, long gapNanos);
  }

  private final LongSupplier clock;
  private final Stalled onStall;
  // Written by the worker only.
  private boolean watching;
  // Read by the lease renewal's thread.
  private volatile long lastProgressNanos;

  public StallWatch(LongSupplier clock, Stalled onStall) {
    this.clock = clock;
    this.onStall = onStall;
    this.lastProgressNanos = clock.getAsLong();
  }

  /** From now on gaps count: the worker's ticks run. */
  public void start() {
    lastProgressNanos = clock.getAsLong();
    watching = true;
  }

  /** Reports a gap since the last mark, once. */
  public void check() {
    if (!watching) {
      return;
    }
    long now = clock.getAsLong();
    long gap = now - lastProgressNanos;
    if (gap >= Detection.STALL_NANOS) {
      lastProgressNanos = now;
      onStall.stalled(now, gap);
    }
  }

  /**
   * Marks progress, after checking the gap since the last mark: a freeze in the middle of a step is
   * noticed when the step ends, before anything renews the lease.
   */
  public void progress() {
    check();
    lastProgressNanos = clock.getAsLong();
  }

  /** Whether the worker made progress within the last {@code withinNanos}. */
  public boolean alive(long withinNanos) {
    return clock.getAsLong() - lastProgressNanos < withinNanos;
  }
}
