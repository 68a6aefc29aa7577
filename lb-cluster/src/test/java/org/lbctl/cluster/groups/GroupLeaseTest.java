package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.floating.Fence;

/**
 * When the lease runs again after the addresses went silent, the held groups are announced again
 * (another member may have announced them meanwhile): after a lease that ran out, and after a shut
 * fence however short the gap. A fence whose lease never lapsed is no resumption.
 */
class GroupLeaseTest {
  private static final long MS = 1_000_000L;

  private final AtomicLong clock = new AtomicLong(5_000 * MS);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicInteger resumed = new AtomicInteger();
  private final Fence fence = new RecordingFence(events, false);
  private final StallWatch stall = new StallWatch(clock::get, (now, gap) -> {});
  private final GroupLease lease =
      new GroupLease(fence, List::of, stall, clock::get, resumed::incrementAndGet);

  private boolean renewAfter(long millis) throws Exception {
    clock.addAndGet(millis * MS);
    stall.progress();
    lease.majorityHeardUntil(clock.get() + 2_000 * MS);
    return lease.renewLease(500 * MS);
  }

  @Test
  void renewalsWithinTheLeaseAreNoResumption() throws Exception {
    assertThat(renewAfter(0)).isTrue();
    assertThat(renewAfter(200)).isTrue();
    assertThat(renewAfter(200)).isTrue();
    assertThat(resumed).hasValue(0);
  }

  @Test
  void aRenewalAfterTheLeaseRanOutIsAResumption() throws Exception {
    assertThat(renewAfter(0)).isTrue();
    assertThat(renewAfter(1_200)).isTrue();
    assertThat(resumed).hasValue(1);
  }

  @Test
  void aRenewalAfterTheFenceWasShutIsAResumptionHoweverShortTheGap() throws Exception {
    assertThat(renewAfter(0)).isTrue();
    lease.shut();
    assertThat(renewAfter(100)).isTrue();
    assertThat(events).containsExactly("renew", "shut", "renew");
    assertThat(resumed).hasValue(1);
    assertThat(renewAfter(100)).isTrue();
    assertThat(resumed).as("once per silence").hasValue(1);
  }

  @Test
  void aRenewalAfterOneThatWasRefusedIsAResumption() throws Exception {
    assertThat(renewAfter(0)).isTrue();
    lease.majorityHeardUntil(clock.get() - MS);
    assertThat(lease.renewLease(500 * MS)).as("no majority heard").isFalse();
    assertThat(renewAfter(100)).isTrue();
    assertThat(resumed).hasValue(1);
  }
}
