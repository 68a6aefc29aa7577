package org.lbctl.core.proxy;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Lets one log line through per interval and counts the ones held back, so a dead server under load
 * yields a readable log instead of a line per connection.
 */
final class Throttle {
  private final long intervalNanos;
  private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  Throttle(long intervalMillis) {
    this.intervalNanos = intervalMillis * 1_000_000;
  }

  /** Returns -1 to hold the line back, or how many were held back since the last one. */
  long permit() {
    long now = System.nanoTime();
    long n = next.get();
    if (n != Long.MIN_VALUE && now - n < 0) {
      suppressed.incrementAndGet();
      return -1;
    }
    if (!next.compareAndSet(n, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return -1;
    }
    return suppressed.getAndSet(0);
  }

  /** Logs a warning unless one went out within the interval; says how many were held back. */
  void warn(Logger log, String format, Object... args) {
    long held = permit();
    if (held < 0) {
      return;
    }
    String suffix = held > 0 ? " (" + held + " similar lines held back)" : "";
    log.warn(format + suffix, args);
  }
}
