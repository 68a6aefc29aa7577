package org.lbctl.cluster.floating;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.members.Detection;
import org.lbctl.core.config.FloatingIp;

/**
 * One renewal of a fence's lease, as the pair and a cluster member both do it: checked and renewed
 * under the fence's lock, so a renewal never lands after the controller silenced the fence, and
 * undone when it took a stall's time ({@link Detection#STALL_NANOS}) or the check no longer says
 * anything of the moment the renewal landed.
 */
public final class FenceRenewal {
  private FenceRenewal() {}

  /**
   * @param wanted whether the lease should run now, asked under the fence's lock
   * @param stillValid given the time the renewal ended, whether the check still holds then
   * @return whether it renewed
   */
  public static boolean renew(
      Fence fence,
      Supplier<List<FloatingIp>> ips,
      LongSupplier clock,
      BooleanSupplier wanted,
      LongPredicate stillValid)
      throws Exception {
    if (!fence.enabled()) {
      return false;
    }
    synchronized (fence) {
      long start = clock.getAsLong();
      if (!wanted.getAsBoolean()) {
        return false;
      }
      fence.renew(ips.get());
      long end = clock.getAsLong();
      if (end - start >= Detection.STALL_NANOS || !stillValid.test(end)) {
        fence.shut();
        return false;
      }
      return true;
    }
  }
}
