package org.lbctl.core.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down password guessing: per source address and per user name, the first {@value #FREE}
 * failures cost nothing, each further one locks that key out for twice as long as the previous (30
 * s, 1 min, ... at most 15 min). A key that has not failed for 15 minutes is forgotten. The
 * lock-out is checked before any password is hashed, so a guesser cannot keep the node busy.
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

  /** How long {@code source} or {@code user} must still wait, if either is locked out. */
  public synchronized Optional<Duration> lockedOut(String source, String user) {
    Instant now = clock.instant();
    Duration wait = Duration.ZERO;
    for (String key : keys(source, user)) {
      Failures f = current(key, now);
      if (f != null && f.lockedUntil().isAfter(now)) {
        Duration left = Duration.between(now, f.lockedUntil());
        wait = left.compareTo(wait) > 0 ? left : wait;
      }
    }
    return wait.isZero() ? Optional.empty() : Optional.of(wait);
  }

  /** Records a failed attempt; returns the lock-out it caused, if any. */
  public synchronized Optional<Duration> failed(String source, String user) {
    Instant now = clock.instant();
    Duration longest = Duration.ZERO;
    for (String key : keys(source, user)) {
      Failures f = current(key, now);
      int count = f == null ? 1 : f.count() + 1;
      Duration lock = lockFor(count);
      failures.put(key, new Failures(count, now, now.plus(lock)));
      longest = lock.compareTo(longest) > 0 ? lock : longest;
    }
    while (failures.size() > MAX_KEYS) {
      failures.remove(failures.keySet().iterator().next());
    }
    return longest.isZero() ? Optional.empty() : Optional.of(longest);
  }

  /** A success forgets the user's failures; the source's stay, so one good account hides none. */
  public synchronized void succeeded(String user) {
    if (user != null) {
      failures.remove("user:" + user);
    }
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

  private static String[] keys(String source, String user) {
    return user == null
        ? new String[] {"source:" + source}
        : new String[] {"source:" + source, "user:" + user};
  }
}
