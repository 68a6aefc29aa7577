package org.lbctl.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.lbctl.core.audit.AuditEntry;
import org.lbctl.core.auth.Authenticator;
import org.lbctl.core.auth.Authenticator.Admitted;
import org.lbctl.core.auth.Authenticator.Refused;
import org.lbctl.core.auth.Caller;
import org.lbctl.core.auth.Role;
import org.lbctl.core.auth.Sessions;
import org.lbctl.core.auth.UserStore;

/**
 * The HTTPS listener's front: serves the web UI's files to anyone, logs users in and out, and lets
 * only authenticated callers reach the API. A browser session may change things only with the
 * header {@value #UI_HEADER}, which another site's page cannot send without a CORS preflight this
 * node never grants (on top of the SameSite=Strict cookie).
 */
public final class HttpsFront implements Front {
  static final String UI_HEADER = "X-Lbctl-UI";
  private static final Map<String, String> SECURITY =
      Map.of(
          "Strict-Transport-Security", "max-age=31536000",
          "X-Content-Type-Options", "nosniff",
          "X-Frame-Options", "DENY",
          "Referrer-Policy", "no-referrer",
          "Content-Security-Policy",
              "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
          "Cache-Control", "no-store");

  private static final java.util.Set<String> BODY_TYPES =
      java.util.Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml");

  private final ManagementApi api;
  private final Authenticator auth;
  private final WebUi ui;

  public HttpsFront(ManagementApi api, Authenticator auth, WebUi ui) {
    this.api = api;
    this.auth = auth;
    this.ui = ui;
  }

  @Override
  public ApiResponse answer(Incoming in) {
    return secured(route(in));
  }

  @Override
  public java.util.OptionalInt passwordRank(Incoming in) {
    boolean hashes =
        in.path().equals("/v1/login") && in.method().equals("POST")
            || auth.needsHash(in.headers().get(HttpHeaderNames.AUTHORIZATION));
    if (!hashes) {
      return java.util.OptionalInt.empty();
    }
    return java.util.OptionalInt.of(
        auth.knownSource(in.from()) ? PasswordLane.KNOWN : PasswordLane.STRANGER);
  }

  private ApiResponse route(Incoming in) {
    String path = in.path();
    if (in.method().equals("GET") && (path.equals("/") || path.startsWith("/ui/"))) {
      return ui.file(path);
    }
    Optional<ApiResponse> foreign = crossSite(in);
    if (foreign.isPresent()) {
      return foreign.get();
    }
    if (path.equals("/v1/login")) {
      return in.method().equals("POST") ? login(in) : notAllowed("POST");
    }
    if (path.equals("/v1/logout")) {
      if (!in.method().equals("POST")) {
        return notAllowed("POST");
      }
      sessionId(in).ifPresent(auth.sessions()::end);
      return new ApiResponse(200, Map.of("loggedOut", true), Map.of("Set-Cookie", expired()));
    }
    Optional<String> session = sessionId(in);
    String authorization = in.headers().get(HttpHeaderNames.AUTHORIZATION);
    Authenticator.Verdict v = auth.admit(authorization, session.orElse(null), in.from());
    if (v instanceof Refused r) {
      return refusal(in, r);
    }
    Caller caller = ((Admitted) v).caller();
    if (caller.via().equals("session")
        && !in.method().equals("GET")
        && !in.headers().contains(UI_HEADER)) {
      return new ApiResponse(
          403, Map.of("error", "a browser session changes things only through the web UI"));
    }
    return api.handle(
        new ApiRequest(
            in.method(),
            path,
            in.body(),
            caller,
            Optional.ofNullable(in.headers().get(HttpHeaderNames.IF_MATCH)),
            in.query(),
            // Only an answer that lasts asks again; every other request is done before it could.
            path.equals("/v1/events")
                ? auth.stillAdmitted(authorization, session.orElse(null))
                : () -> true));
  }

  /**
   * Refuses a change another site's page could make with the user's browser: one whose {@code
   * Sec-Fetch-Site} or {@code Origin} says it came from elsewhere, or whose body is of a type a
   * form or a simple cross-site request can send (only JSON and YAML are taken, which need a CORS
   * preflight this node never grants).
   */
  static Optional<ApiResponse> crossSite(Incoming in) {
    if (in.method().equals("GET") || in.method().equals("HEAD")) {
      return Optional.empty();
    }
    String site = in.headers().get("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return Optional.of(
          new ApiResponse(
              403,
              Map.of(
                  "error",
                  "a request from another site may not change anything (Sec-Fetch-Site: "
                      + org.lbctl.core.audit.LogText.field(site)
                      + ")")));
    }
    String origin = in.headers().get(HttpHeaderNames.ORIGIN);
    String host = in.headers().get(HttpHeaderNames.HOST);
    if (origin != null && !origin.equalsIgnoreCase("https://" + host)) {
      return Optional.of(
          new ApiResponse(
              403,
              Map.of(
                  "error",
                  "a request from another site may not change anything (Origin "
                      + org.lbctl.core.audit.LogText.field(origin)
                      + ", this node is https://"
                      + org.lbctl.core.audit.LogText.field(host)
                      + ")")));
    }
    if (in.body().length > 0) {
      String type = in.headers().get(HttpHeaderNames.CONTENT_TYPE);
      String media =
          type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
      if (!BODY_TYPES.contains(media)) {
        return Optional.of(
            new ApiResponse(
                415,
                Map.of(
                    "error",
                    "Content-Type must be application/json (or application/yaml for a"
                        + " configuration), not '"
                        + org.lbctl.core.audit.LogText.field(type == null ? "" : type)
                        + "'")));
      }
    }
    return Optional.empty();
  }

  private ApiResponse login(Incoming in) {
    String name = null;
    String password = null;
    try {
      JsonNode json = ManagementApi.JSON.readTree(in.body());
      if (json != null && json.isObject()) {
        name = json.path("name").asText(null);
        password = json.path("password").asText(null);
      }
    } catch (IOException e) {
      // refused below, as a body without a name
    }
    if (name == null || password == null) {
      return new ApiResponse(
          400, Map.of("error", "body must be {\"name\": ..., \"password\": ...}"));
    }
    Authenticator.Verdict v = auth.login(name, password, in.from());
    // A name that cannot be a user's is audited by its size only.
    Caller who =
        new Caller(
            UserStore.isName(name) ? name : Authenticator.shown(name),
            in.from(),
            "session",
            false,
            v instanceof Authenticator.LoggedIn l ? l.caller().role() : Role.VIEWER);
    if (v instanceof Refused r) {
      api.audit().record(new AuditEntry(Instant.now(), who, "login", r.status(), r.message()));
      return refusal(in, r);
    }
    api.audit().record(new AuditEntry(Instant.now(), who, "login", 200, ""));
    String id = ((Authenticator.LoggedIn) v).sessionId();
    DefaultCookie c = new DefaultCookie(Authenticator.SESSION_COOKIE, id);
    c.setHttpOnly(true);
    c.setSecure(true);
    c.setPath("/");
    c.setSameSite(CookieHeaderNames.SameSite.Strict);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("user", name);
    body.put("idleMinutes", Sessions.IDLE.toMinutes());
    return new ApiResponse(200, body, Map.of("Set-Cookie", ServerCookieEncoder.STRICT.encode(c)));
  }

  private ApiResponse refusal(Incoming in, Refused r) {
    Map<String, String> headers = new LinkedHashMap<>();
    r.retryAfter().ifPresent(d -> headers.put("Retry-After", Long.toString(d.toSeconds())));
    // Scripts are told how to authenticate; a browser is not (the web UI shows its own login, and
    // the browser's password dialog would leave credentials any site could make it send).
    if (r.status() == 401 && !in.headers().contains(UI_HEADER) && !browser(in)) {
      headers.put("WWW-Authenticate", "Basic realm=\"lbctl\", charset=\"UTF-8\"");
    }
    return new ApiResponse(r.status(), Map.of("error", r.message()), headers);
  }

  /**
   * Whether a browser sent this: it would keep Basic credentials from its password dialog and send
   * them with any later request, another site's included.
   */
  static boolean browser(Incoming in) {
    String agent = in.headers().get(HttpHeaderNames.USER_AGENT);
    return in.headers().contains("Sec-Fetch-Mode")
        || in.headers().contains("Sec-Fetch-Site")
        || (agent != null && agent.startsWith("Mozilla/"));
  }

  private static Optional<String> sessionId(Incoming in) {
    String header = in.headers().get(HttpHeaderNames.COOKIE);
    if (header == null) {
      return Optional.empty();
    }
    for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
      if (c.name().equals(Authenticator.SESSION_COOKIE)) {
        return Optional.of(c.value());
      }
    }
    return Optional.empty();
  }

  private static String expired() {
    DefaultCookie c = new DefaultCookie(Authenticator.SESSION_COOKIE, "");
    c.setHttpOnly(true);
    c.setSecure(true);
    c.setPath("/");
    c.setMaxAge(0);
    c.setSameSite(CookieHeaderNames.SameSite.Strict);
    return ServerCookieEncoder.STRICT.encode(c);
  }

  private static ApiResponse notAllowed(String allowed) {
    return new ApiResponse(405, Map.of("error", "expected " + allowed), Map.of("Allow", allowed));
  }

  private static ApiResponse secured(ApiResponse r) {
    Map<String, String> headers = new LinkedHashMap<>(SECURITY);
    if (r.body() instanceof TextBody
        && r.status() == 200
        && !r.headers().containsKey("Cache-Control")) {
      headers.put("Cache-Control", "no-cache");
    }
    headers.putAll(r.headers());
    return new ApiResponse(r.status(), r.body(), headers);
  }
}
