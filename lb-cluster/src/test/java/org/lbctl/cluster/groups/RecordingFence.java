package org.lbctl.cluster.groups;

import java.time.Duration;
import java.util.List;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.core.config.FloatingIp;

/** A fence with a 1 s lease that writes each renewal and shut into {@code events}. */
final class RecordingFence implements Fence {
  private final List<String> events;
  private final boolean withAddresses;

  /**
   * @param withAddresses whether a renewal names its addresses ("renew [..]") or not ("renew")
   */
  RecordingFence(List<String> events, boolean withAddresses) {
    this.events = events;
    this.withAddresses = withAddresses;
  }

  @Override
  public void guard(List<FloatingIp> ips) {}

  @Override
  public void renew(List<FloatingIp> ips) {
    events.add(withAddresses ? "renew " + ips : "renew");
  }

  @Override
  public void shut() {
    events.add("shut");
  }

  @Override
  public Duration lease() {
    return Duration.ofSeconds(1);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void close() {}
}
