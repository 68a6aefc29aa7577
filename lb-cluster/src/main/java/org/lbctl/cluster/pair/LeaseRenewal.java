package org.lbctl.cluster.pair;

import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FenceRenewal;
import org.lbctl.core.config.FloatingIp;

/**
 * Renews the fence's kernel lease while this node should answer for its addresses: it is active,
 * trusts itself, and its controller has run lately (a wedged controller renews nothing).
 */
final class LeaseRenewal {
  private final Fence fence;
  private final Supplier<List<FloatingIp>> floatingIps;
  private final StallWatch stall;
  private final LongSupplier clock;
  private volatile boolean wanted;

  LeaseRenewal(
      Fence fence, Supplier<List<FloatingIp>> floatingIps, StallWatch stall, LongSupplier clock) {
    this.fence = fence;
    this.floatingIps = floatingIps;
    this.stall = stall;
    this.clock = clock;
  }

  void want(boolean wanted) {
    this.wanted = wanted;
  }

  boolean wanted(long withinNanos) {
    return wanted && stall.alive(withinNanos);
  }

  /**
   * Renews if wanted, checked and renewed under the fence's lock, so a renewal never lands after
   * the controller silenced the fence.
   *
   * @return whether it renewed
   */
  boolean renew(long withinNanos) throws Exception {
    // Frozen between the check and the renewal: the check says nothing of now (FenceRenewal).
    return FenceRenewal.renew(fence, floatingIps, clock, () -> wanted(withinNanos), end -> true);
  }
}
