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
  // The self-check's thread only (inside the renewal): when the lease was last renewed.
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
    synchronized (fence) {
      fence.shut();
      // Under the lock, after the shut: a renewal running meanwhile cannot clear it.
      shutSinceRenewal = true;
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
    boolean[] lapsed = {false};
    // Undone when the majority's words aged out while it ran: the others count from those words.
    boolean renewed =
        FenceRenewal.renew(
            fence,
            addresses,
            clock,
            () -> leaseWanted(withinNanos),
            end -> {
              long until = majorityUntil;
              if (until == Long.MIN_VALUE || end - until >= 0) {
                return false;
              }
              // Under the fence's lock, as the shut that set the flag.
              lapsed[0] =
                  renewedAt != Long.MIN_VALUE
                      && (shutSinceRenewal || end - renewedAt >= fence.lease().toNanos());
              shutSinceRenewal = false;
              renewedAt = end;
              return true;
            });
    if (!renewed) {
      // Not renewed, or renewed and undone (shut): the next renewal may follow a silence.
      shutSinceRenewal = true;
    } else if (lapsed[0]) {
      onResumed.run();
    }
    return renewed;
  }
}
