package org.lbctl.cluster.groups;

import java.io.IOException;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FenceRenewal;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.core.config.FloatingIp;

/**
 * Renews this member's fence lease while its group controller runs and it hears a majority of the
 * members. A member frozen or cut off from the majority therefore goes silent within its lease,
 * before the others may take its groups.
 *
 * <p>The lease covers every floating address of the configuration, not only those of the groups
 * held: the kernel answers only for addresses on the interface, and a released group's addresses
 * are removed before anything else. So a group taken over answers, and is announced, the moment its
 * addresses are added, without waiting for a renewal (an nft call under load: tens of ms).
 */
final class GroupLease implements LeaseHolder {
  private final Fence fence;
  private final Supplier<List<FloatingIp>> addresses;
  private final StallWatch stall;
  private final LongSupplier clock;
  private volatile long majorityUntil = Long.MIN_VALUE;
  private final Runnable onResumed;
  // The self-check's thread only: when the lease was last renewed.
  private long renewedAt = Long.MIN_VALUE;
  // Shut since the last renewal: the addresses went silent however short the gap.
  private volatile boolean shutSinceRenewal;

  /**
   * @param onResumed called when a renewal follows a lapse: the addresses answer again, and another
   *     member may have announced them meanwhile
   */
  GroupLease(
      Fence fence,
      Supplier<List<FloatingIp>> addresses,
      StallWatch stall,
      LongSupplier clock,
      Runnable onResumed) {
    this.onResumed = onResumed;
    this.fence = fence;
    this.addresses = addresses;
    this.stall = stall;
    this.clock = clock;
  }

  /** The controller heard its members: a majority counts as heard until {@code until}. */
  void majorityHeardUntil(long until) {
    majorityUntil = until;
  }

  /** Silences every address now, and renews nothing until a majority is heard again. */
  void shut() throws IOException {
    majorityUntil = Long.MIN_VALUE;
    shutSinceRenewal = true;
    synchronized (fence) {
      fence.shut();
    }
  }

  long leaseMillis() {
    return fence.lease().toMillis();
  }

  @Override
  public boolean alive(long withinNanos) {
    return stall.alive(withinNanos);
  }

  @Override
  public boolean leaseWanted(long withinNanos) {
    long until = majorityUntil;
    // (MIN_VALUE means never: now - MIN_VALUE would overflow into "before".)
    return until != Long.MIN_VALUE && stall.alive(withinNanos) && clock.getAsLong() - until < 0;
  }

  @Override
  public boolean renewLease(long withinNanos) throws Exception {
    // Undone when the majority's words aged out while it ran: the others count from those words.
    boolean renewed =
        FenceRenewal.renew(
            fence,
            addresses,
            clock,
            () -> leaseWanted(withinNanos),
            end -> end - majorityUntil < 0);
    if (renewed) {
      long now = clock.getAsLong();
      boolean lapsed =
          renewedAt != Long.MIN_VALUE
              && (shutSinceRenewal || now - renewedAt >= fence.lease().toNanos());
      shutSinceRenewal = false;
      renewedAt = now;
      if (lapsed) {
        onResumed.run();
      }
    }
    return renewed;
  }
}
