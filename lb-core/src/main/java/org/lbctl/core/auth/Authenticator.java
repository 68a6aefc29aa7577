package org.lbctl.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who a remote management request comes from: a password (HTTP Basic, or the web UI's
 * login), an API token ({@code Bearer}), or a web UI session cookie. Failures are throttled per
 * source before any password is hashed. A password that checked out is remembered for {@link
 * #REMEMBER} (keyed by an HMAC of name and password under a key that lives only in memory), so a
 * script using Basic does not pay the slow hash on every request.
 */
public final class Authenticator {
  private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
  static final Duration REMEMBER = Duration.ofMinutes(5);
  public static final String SESSION_COOKIE = "lbctl_session";

  /** What became of a request's credentials. */
  public sealed interface Verdict {}

  /** Known: the request goes on as {@code caller}. */
  public record Admitted(Caller caller) implements Verdict {}

  /** A web login that started the session {@code sessionId}. */
  public record LoggedIn(Caller caller, String sessionId) implements Verdict {}

  /**
   * Refused: 401 (no or bad credentials) or 429 (locked out for {@code retryAfter}).
   *
   * @param message for the caller; never says whether the user exists
   */
  public record Refused(int status, String message, Optional<Duration> retryAfter)
      implements Verdict {}

  private final UserStore users;
  private final ApiTokens tokens;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final Clock clock;
  private final byte[] rememberKey = new byte[32];
  private final Map<String, Remembered> remembered = new HashMap<>();
  // Where rightful password logins came from, the latest 1,024: they go first in the
  // PasswordLane.
  private static final Duration KNOWN_FOR = Duration.ofDays(1);
  private final Map<String, Instant> knownSources =
      new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > 1024;
        }
      };

  /**
   * A password verified, until when, and at which change of the users; for a directory user, the
   * role its groups gave.
   */
  private record Remembered(Instant until, long changes, Optional<Role> directoryRole) {}

  // Where users that are not local log in; a local user of the same name always goes first (the
  // break-glass account works while the directory is down).
  private final Optional<Directory> directory;
  private static final String DIRECTORY_STAMP = "directory:";

  /** The role of an active local user. */
  public Optional<Role> roleOf(String name) {
    return users.role(name);
  }

  public Authenticator(UserStore users, ApiTokens tokens, Clock clock) {
    this(users, tokens, clock, Optional.empty());
  }

  public Authenticator(
      UserStore users, ApiTokens tokens, Clock clock, Optional<Directory> directory) {
    this.users = users;
    this.tokens = tokens;
    this.clock = clock;
    this.directory = directory;
    this.sessions = new Sessions(clock);
    this.throttle = new LoginThrottle(clock);
    new SecureRandom().nextBytes(rememberKey);
  }

  public Sessions sessions() {
    return sessions;
  }

  /**
   * @param authorization the Authorization header, or null
   * @param sessionId the session cookie's value, or null
   * @param source the client's address, for throttling and the log
   */
  public Verdict admit(String authorization, String sessionId, String source) {
    if (authorization != null) {
      String a = authorization.strip();
      int space = a.indexOf(' ');
      String scheme = space < 0 ? a : a.substring(0, space);
      String value = space < 0 ? "" : a.substring(space + 1).strip();
      if (scheme.equalsIgnoreCase("Basic")) {
        return basic(value, source);
      }
      if (scheme.equalsIgnoreCase("Bearer")) {
        return bearer(value, source);
      }
      return new Refused(
          401, "unsupported Authorization scheme '" + scheme + "'", Optional.empty());
    }
    if (sessionId != null) {
      Optional<Sessions.Login> login = sessions.login(sessionId);
      Optional<Role> role = login.flatMap(this::sessionRole);
      if (role.isPresent()) {
        return new Admitted(new Caller(login.get().user(), source, "session", true, role.get()));
      }
      if (login.isPresent()) {
        // Removed, disabled or given a new password since it logged in.
        sessions.end(sessionId);
      }
      return new Refused(401, "the session has ended: log in again", Optional.empty());
    }
    if (users.isEmpty() && directory.isEmpty()) {
      return new Refused(
          401, "no management users yet: on the node, run 'lbctl user add NAME'", Optional.empty());
    }
    return new Refused(
        401, "authentication required: a user's password or an API token", Optional.empty());
  }

  /**
   * Whether the credentials of a request admitted now would still pass later, asked without hashing
   * a password (on an event loop, for answers that last): a token not revoked nor expired whose
   * user is active; a session not ended (asking does not count as its use); a local user's Basic
   * credentials while the user keeps the password it had and is active; a directory user's for as
   * long as a Basic login is remembered ({@link #REMEMBER}), and only while no local user took the
   * name.
   */
  public java.util.function.BooleanSupplier stillAdmitted(String authorization, String sessionId) {
    if (authorization != null) {
      String a = authorization.strip();
      int space = a.indexOf(' ');
      String scheme = space < 0 ? a : a.substring(0, space);
      String value = space < 0 ? "" : a.substring(space + 1).strip();
      if (scheme.equalsIgnoreCase("Bearer")) {
        return () -> tokens.verify(value).flatMap(t -> users.role(t.user())).isPresent();
      }
      String name = basicCredentials(value).map(c -> c[0]).orElse("");
      if (!UserStore.isName(name)) {
        return () -> false;
      }
      if (users.exists(name)) {
        Optional<String> stamp = users.stamp(name);
        return () -> stamp.isPresent() && users.stamp(name).equals(stamp);
      }
      Instant until = clock.instant().plus(REMEMBER);
      return () -> directory.isPresent() && !users.exists(name) && clock.instant().isBefore(until);
    }
    if (sessionId != null) {
      return () -> sessions.peek(sessionId).flatMap(this::sessionRole).isPresent();
    }
    return () -> false;
  }

  /**
   * The role a live session acts with: a local user's now, while its credentials are those it
   * logged in with; a directory user's as its groups gave it at login, while no local user of that
   * name exists.
   */
  private Optional<Role> sessionRole(Sessions.Login login) {
    if (login.stamp().startsWith(DIRECTORY_STAMP)) {
      return users.exists(login.user())
          ? Optional.empty()
          : Role.parse(login.stamp().substring(DIRECTORY_STAMP.length()));
    }
    return users.stamp(login.user()).equals(Optional.of(login.stamp()))
        ? users.role(login.user())
        : Optional.empty();
  }

  /**
   * Whether checking this Authorization header means hashing a password: Basic credentials not
   * verified within the last minutes. Tokens and sessions never do.
   */
  public boolean needsHash(String authorization) {
    if (authorization == null) {
      return false;
    }
    String a = authorization.strip();
    int space = a.indexOf(' ');
    if (space < 0 || !a.substring(0, space).equalsIgnoreCase("Basic")) {
      return false;
    }
    // Malformed credentials are refused without a hash.
    return basicCredentials(a.substring(space + 1))
        .map(c -> rememberedNow(rememberKey(c[0], c[1])).isEmpty())
        .orElse(false);
  }

  /** Whether a user logged in rightly with a password from {@code source} within a day. */
  public synchronized boolean knownSource(String source) {
    Instant at = knownSources.get(source);
    return at != null && at.plus(KNOWN_FOR).isAfter(clock.instant());
  }

  private synchronized void known(String source) {
    knownSources.put(source, clock.instant());
  }

  /** The web UI's login: a password for a new session. */
  public Verdict login(String name, String password, String source) {
    // Read before the check: a password changed while the hash runs ends this session at once.
    Optional<String> stamp = UserStore.isName(name) ? users.stamp(name) : Optional.empty();
    Verdict v = password(name, password, source, "session");
    if (v instanceof Admitted a) {
      log.info("management: {} logged in from {}", shown(name), source);
      String bound =
          stamp.isPresent() || users.exists(name)
              ? stamp.orElse("")
              : DIRECTORY_STAMP + a.caller().role().word();
      return new LoggedIn(a.caller(), sessions.start(name, bound));
    }
    return v;
  }

  private Verdict basic(String value, String source) {
    Optional<String[]> c = basicCredentials(value);
    if (c.isEmpty()) {
      return new Refused(401, "malformed Basic credentials", Optional.empty());
    }
    return password(c.get()[0], c.get()[1], source, "password");
  }

  /**
   * The name and password of Basic credentials; empty when they are not base64 of NAME:PASSWORD.
   */
  private static Optional<String[]> basicCredentials(String value) {
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(value.strip()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    return colon < 0
        ? Optional.empty()
        : Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
  }

  private Verdict password(String name, String password, String source, String via) {
    Optional<Duration> locked = throttle.lockedOut(source);
    if (locked.isPresent()) {
      return locked(locked.get());
    }
    String key = rememberKey(name, password);
    // Read before the check: a change of the users while the hash runs must not be remembered past.
    long changes = users.changes();
    if (UserStore.isName(name) && directory.isPresent() && !users.exists(name)) {
      Optional<Verdict> fromDirectory = directory(name, password, source, via, key, changes);
      if (fromDirectory.isPresent()) {
        return fromDirectory.get();
      }
    } else if (UserStore.isName(name)
        // A name that cannot be a user's is not hashed for, but costs the source a failure too.
        && (rememberedNow(key).isPresent() ? users.active(name) : users.verify(name, password))) {
      Optional<Role> role = users.role(name);
      if (role.isPresent()) {
        remember(key, changes, Optional.empty());
        known(source);
        return new Admitted(new Caller(name, source, via, true, role.get()));
      }
    }
    Optional<Duration> lock = throttle.failed(source);
    if (lock.isPresent()) {
      log.warn(
          "management: failed login for {} from {}; the source is locked out for {} s",
          shown(name),
          source,
          lock.get().toSeconds());
      return locked(lock.get());
    }
    log.warn("management: failed login for {} from {}", shown(name), source);
    return new Refused(401, "wrong user name or password", Optional.empty());
  }

  /**
   * A login of a user the node does not keep, asked of the directory (or remembered from it): the
   * verdict, or empty for a refusal the caller counts as a failure.
   */
  private Optional<Verdict> directory(
      String name, String password, String source, String via, String key, long changes) {
    Optional<Remembered> r = rememberedNow(key);
    if (r.isPresent() && r.get().directoryRole().isPresent()) {
      return Optional.of(
          new Admitted(
              new Caller(name, source, directoryVia(via), true, r.get().directoryRole().get())));
    }
    Directory.Answer answer = directory.get().verify(name, password);
    if (answer instanceof Directory.Member m) {
      remember(key, changes, Optional.of(m.role()));
      known(source);
      log.info("management: {} is {} by the directory ({})", shown(name), m.role(), m.dn());
      return Optional.of(new Admitted(new Caller(name, source, directoryVia(via), true, m.role())));
    }
    if (answer instanceof Directory.Unreachable u) {
      log.error(
          "management: the directory cannot check the login of {}: {}; local users can still log in",
          shown(name),
          org.lbctl.core.audit.LogText.detail(u.why()));
      return Optional.of(
          new Refused(
              503,
              "the directory cannot be reached: try again, or log in as a local user",
              Optional.empty()));
    }
    log.info(
        "management: the directory refused {}: {}",
        shown(name),
        org.lbctl.core.audit.LogText.detail(((Directory.Refused) answer).why()));
    return Optional.empty();
  }

  /** Basic credentials checked by the directory say so in the audit; a session stays one. */
  private static String directoryVia(String via) {
    return via.equals("session") ? via : "directory";
  }

  /**
   * A login name as logs and the audit show it: quoted when it can be a user's, else only its size,
   * so a forged name never reaches a log line.
   */
  public static String shown(String name) {
    if (UserStore.isName(name)) {
      return "'" + name + "'";
    }
    return "<invalid name, "
        + (name == null ? 0 : name.getBytes(StandardCharsets.UTF_8).length)
        + " bytes>";
  }

  private Verdict bearer(String value, String source) {
    // A valid token passes a locked source: the token is 256 random bits, not a guess, and a
    // script must not lose its access because someone nearby mistyped a password.
    Optional<ApiTokens.Token> token = tokens.verify(value);
    Optional<Role> userRole = token.flatMap(t -> users.role(t.user()));
    if (token.isPresent() && userRole.isPresent()) {
      ApiTokens.Token t = token.get();
      return new Admitted(
          new Caller(
              t.user() + " (token " + t.id() + ")",
              source,
              "token",
              !t.readOnly(),
              userRole.get().atMost(t.role())));
    }
    Optional<Duration> locked = throttle.lockedOut(source);
    if (locked.isPresent()) {
      return locked(locked.get());
    }
    Optional<Duration> lock = throttle.failed(source);
    log.warn("management: unknown or revoked API token from {}", source);
    return lock.isPresent()
        ? locked(lock.get())
        : new Refused(401, "unknown or revoked API token", Optional.empty());
  }

  private static Refused locked(Duration wait) {
    long seconds = Math.max(1, wait.toSeconds());
    return new Refused(
        429,
        "too many failed logins: try again in " + seconds + " s",
        Optional.of(Duration.ofSeconds(seconds)));
  }

  private synchronized Optional<Remembered> rememberedNow(String key) {
    Remembered r = remembered.get(key);
    // Any change of the users since (a password, a user disabled) and it is checked again.
    return r != null && r.until().isAfter(clock.instant()) && r.changes() == users.changes()
        ? Optional.of(r)
        : Optional.empty();
  }

  private synchronized void remember(String key, long changes, Optional<Role> directoryRole) {
    Instant now = clock.instant();
    remembered.values().removeIf(r -> !r.until().isAfter(now));
    remembered.put(key, new Remembered(now.plus(REMEMBER), changes, directoryRole));
  }

  private String rememberKey(String name, String password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(rememberKey, "HmacSHA256"));
      byte[] d = mac.doFinal((name + "\0" + password).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
