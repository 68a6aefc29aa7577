package org.lbctl.cluster.groups;

import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.pair.Liveness;
import org.lbctl.cluster.pair.StallWatch;
import org.lbctl.core.config.FloatingIp;

/**
 * Renews this member's fence lease for the addresses of the groups it holds, while it holds any,
 * its group controller runs, and it hears a majority of the members. A member cut off from the
 * majority therefore goes silent within its lease, before the others may take its groups.
 */
final class GroupLease implements LeaseHolder {
  private final Fence fence;
  private final Supplier<List<FloatingIp>> addresses;
  private final StallWatch stall;
  private final LongSupplier clock;
  private final BooleanSupplier holdsAny;
  private volatile long majorityUntil = Long.MIN_VALUE;

  GroupLease(
      Fence fence,
      Supplier<List<FloatingIp>> addresses,
      StallWatch stall,
      LongSupplier clock,
      BooleanSupplier holdsAny) {
    this.fence = fence;
    this.addresses = addresses;
    this.stall = stall;
    this.clock = clock;
    this.holdsAny = holdsAny;
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
    return holdsAny.getAsBoolean()
        && stall.alive(withinNanos)
        && clock.getAsLong() - majorityUntil < 0;
  }

  @Override
  public boolean renewLease(long withinNanos) throws Exception {
    if (!fence.enabled()) {
      return false;
    }
    synchronized (fence) {
      long start = clock.getAsLong();
      if (!leaseWanted(withinNanos)) {
        return false;
      }
      fence.renew(addresses.get());
      if (clock.getAsLong() - start >= Liveness.STALL_NANOS) {
        // Frozen between the check and the renewal: the check says nothing of now.
        fence.shut();
        return false;
      }
      return true;
    }
  }
}
