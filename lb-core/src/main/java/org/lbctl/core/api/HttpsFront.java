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
import org.lbctl.core.auth.Sessions;

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

  private ApiResponse route(Incoming in) {
    String path = in.path();
    if (in.method().equals("GET") && (path.equals("/") || path.startsWith("/ui/"))) {
      return ui.file(path);
    }
    if (path.equals("/v1/login")) {
      return in.method().equals("POST") ? login(in) : notAllowed("POST");
    }
    if (path.equals("/v1/logout")) {
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
            Optional.ofNullable(in.headers().get(HttpHeaderNames.IF_MATCH))));
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
    Caller who = new Caller(name, in.from(), "session", false);
    if (v instanceof Refused r) {
      api.audit().record(new AuditEntry(Instant.now(), who, "login", r.status(), r.message()));
      return refusal(in, r);
    }
    api.audit().record(new AuditEntry(Instant.now(), who, "login", 200, ""));
    String id = auth.sessions().start(name);
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
    // Scripts are told how to authenticate; the web UI shows its own login instead of the
    // browser's password dialog.
    if (r.status() == 401 && !in.headers().contains(UI_HEADER)) {
      headers.put("WWW-Authenticate", "Basic realm=\"lbctl\", charset=\"UTF-8\"");
    }
    return new ApiResponse(r.status(), Map.of("error", r.message()), headers);
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
