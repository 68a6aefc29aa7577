package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/** How the real servers of a virtual service are checked. */
public record HealthCheck(CheckType type, Duration interval, Duration timeout, int rise, int fall) {
  public static final HealthCheck NONE =
      new HealthCheck(CheckType.NONE, Duration.ofSeconds(10), Duration.ofSeconds(5), 2, 3);

  public HealthCheck {
    requireNonNull(type, "type");
    requireNonNull(interval, "interval");
    requireNonNull(timeout, "timeout");
  }
}
