package org.lbctl.core.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Web UI sessions, in memory (a restart logs everyone out): a random id in an HttpOnly, Secure,
 * SameSite=Strict cookie. A session ends after {@link #IDLE} without a request or {@link #MAX_AGE}
 * after its login, whichever comes first.
 */
public final class Sessions {
  public static final Duration IDLE = Duration.ofMinutes(30);
  public static final Duration MAX_AGE = Duration.ofHours(12);
  private static final int MAX_SESSIONS = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A live session: its user, and the user's credentials when it started (see UserStore). */
  public record Login(String user, String stamp) {}

  private record Session(String user, String stamp, Instant started, Instant lastUsed) {}

  private final Clock clock;
  private final Map<String, Session> sessions = new HashMap<>();

  public Sessions(Clock clock) {
    this.clock = clock;
  }

  /**
   * Starts a session for {@code user} and returns its id.
   *
   * @param stamp the user's credentials as verified for this login
   */
  public synchronized String start(String user, String stamp) {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> expired(s, now));
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.entrySet().stream()
          .min(Map.Entry.comparingByValue(java.util.Comparator.comparing(Session::lastUsed)))
          .ifPresent(oldest -> sessions.remove(oldest.getKey()));
    }
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    sessions.put(id, new Session(user, stamp, now, now));
    return id;
  }

  /** The login of a live session, which counts as used now. */
  public synchronized Optional<Login> login(String id) {
    Session s = id == null ? null : sessions.get(id);
    Instant now = clock.instant();
    if (s == null) {
      return Optional.empty();
    }
    if (expired(s, now)) {
      sessions.remove(id);
      return Optional.empty();
    }
    sessions.put(id, new Session(s.user(), s.stamp(), s.started(), now));
    return Optional.of(new Login(s.user(), s.stamp()));
  }

  /** The login of a live session, without counting as its use (an event stream asks often). */
  public synchronized Optional<Login> peek(String id) {
    Session s = id == null ? null : sessions.get(id);
    if (s == null || expired(s, clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(new Login(s.user(), s.stamp()));
  }

  public synchronized void end(String id) {
    if (id != null) {
      sessions.remove(id);
    }
  }

  private static boolean expired(Session s, Instant now) {
    return Duration.between(s.lastUsed(), now).compareTo(IDLE) > 0
        || Duration.between(s.started(), now).compareTo(MAX_AGE) > 0;
  }
}
