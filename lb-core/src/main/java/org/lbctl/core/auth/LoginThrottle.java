package org.lbctl.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing per source: the first {@value #FREE} failures cost nothing, each
 * further one locks that source out for twice as long as the previous (30 s, 1 min, ... at most 15
 * min). A source that has not failed for 15 minutes is forgotten. An IPv6 source counts by its /64,
 * as one host can hold a whole /64. The lock-out is checked before any password is hashed, so a
 * guesser cannot keep the node busy.
 *
 * <p>A user name is never locked: that would let anyone lock the administrator out from every
 * address. Guessing one account from many sources is bounded by the hash's cost and each source's
 * own lock.
 */
public final class LoginThrottle {
  static final int FREE = 5;
  private static final Duration FIRST_LOCK = Duration.ofSeconds(30);
  private static final Duration MAX_LOCK = Duration.ofMinutes(15);
  private static final Duration FORGET = Duration.ofMinutes(15);
  private static final int MAX_KEYS = 10_000;

  private record Failures(int count, Instant last, Instant lockedUntil) {}

  private final Clock clock;
  private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true);

  public LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  /** How long {@code source} must still wait, if it is locked out. */
  public synchronized Optional<Duration> lockedOut(String source) {
    Instant now = clock.instant();
    Failures f = current(key(source), now);
    if (f != null && f.lockedUntil().isAfter(now)) {
      return Optional.of(Duration.between(now, f.lockedUntil()));
    }
    return Optional.empty();
  }

  /** Records a failed attempt; returns the lock-out it caused, if any. */
  public synchronized Optional<Duration> failed(String source) {
    Instant now = clock.instant();
    String key = key(source);
    Failures f = current(key, now);
    int count = f == null ? 1 : f.count() + 1;
    Duration lock = lockFor(count);
    failures.put(key, new Failures(count, now, now.plus(lock)));
    while (failures.size() > MAX_KEYS) {
      failures.remove(failures.keySet().iterator().next());
    }
    return lock.isZero() ? Optional.empty() : Optional.of(lock);
  }

  static Duration lockFor(int count) {
    if (count <= FREE) {
      return Duration.ZERO;
    }
    int doublings = Math.min(count - FREE - 1, 10);
    Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
    return lock.compareTo(MAX_LOCK) > 0 ? MAX_LOCK : lock;
  }

  private Failures current(String key, Instant now) {
    Failures f = failures.get(key);
    if (f != null && Duration.between(f.last(), now).compareTo(FORGET) > 0) {
      failures.remove(key);
      return null;
    }
    return f;
  }

  /** An IPv4 address as it is, an IPv6 address by its /64. */
  static String key(String source) {
    if (source == null || source.indexOf(':') < 0) {
      return String.valueOf(source);
    }
    String literal = source.startsWith("[") ? source.substring(1, source.indexOf(']')) : source;
    byte[] a = io.netty.util.NetUtil.createByteArrayFromIpAddressString(literal);
    if (a == null || a.length != 16) {
      return source;
    }
    return java.util.HexFormat.of().formatHex(a, 0, 8) + "::/64";
  }
}
