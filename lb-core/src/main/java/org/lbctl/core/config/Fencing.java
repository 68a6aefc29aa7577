package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How a node of a pair fences itself: it answers for its floating addresses only while a lease in
 * the kernel is renewed, so a frozen or wedged node goes silent on its own within {@code lease}.
 *
 * @param enabled {@code false} only by an explicit {@code fencing: off} (warned at every start)
 * @param lease how long one renewal keeps the addresses answering; the peer waits this long (plus
 *     its detection time) before it takes over from a silent node
 * @param renew how often the node renews while it is healthy; shorter than the lease
 */
public record Fencing(boolean enabled, Duration lease, Duration renew) {
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(1);
  public static final Duration DEFAULT_RENEW = Duration.ofMillis(200);
  public static final Fencing DEFAULT = new Fencing(true, DEFAULT_LEASE, DEFAULT_RENEW);
  public static final Fencing OFF = new Fencing(false, DEFAULT_LEASE, DEFAULT_RENEW);

  public Fencing {
    requireNonNull(lease, "lease");
    requireNonNull(renew, "renew");
    if (renew.compareTo(lease) >= 0) {
      throw new IllegalArgumentException(
          "renew (" + Durations.format(renew) + ") must be shorter than the lease");
    }
  }
}
