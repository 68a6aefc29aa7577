package org.lbctl.core.api;

import static org.lbctl.core.api.Bodies.allow;
import static org.lbctl.core.api.Bodies.flag;
import static org.lbctl.core.api.Bodies.object;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.Caller;
import org.lbctl.core.auth.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management users, their roles and their API tokens. Whom an operation needs is in {@link
 * ApiRoutes}; here, what a user below admin may do to its own password and tokens.
 */
final class AccountRoutes {
  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);
  private static final Pattern TOKEN = Pattern.compile("/v1/tokens/([0-9a-f]{8})");
  private static final Pattern USER =
      Pattern.compile("/v1/users/([a-z][a-z0-9._-]{0,31})(/password|/disabled|/role)?");
  private final NodeControl node;

  AccountRoutes(NodeControl node) {
    this.node = node;
  }

  /** The answer to a users or tokens path; empty for any other path. */
  Optional<ApiResponse> route(ApiRequest req) throws ApiException {
    String path = req.path();
    if (path.equals("/v1/users")) {
      return Optional.of(users(req));
    }
    if (path.equals("/v1/tokens")) {
      return Optional.of(tokens(req));
    }
    Matcher user = USER.matcher(path);
    if (user.matches()) {
      return Optional.of(user(req, user.group(1), user.group(2)));
    }
    Matcher token = TOKEN.matcher(path);
    if (token.matches()) {
      allow(req.method(), "DELETE");
      String id = token.group(1);
      Optional<ApiTokens.Token> t =
          node.accounts().tokens().stream().filter(x -> x.id().equals(id)).findFirst();
      if (t.isPresent() && !isAdmin(req.caller()) && !t.get().user().equals(userOf(req.caller()))) {
        throw new ApiException(403, "token " + id + " is another user's: only an admin revokes it");
      }
      node.accounts().revokeToken(id);
      return Optional.of(new ApiResponse(200, Map.of("revoked", id)));
    }
    return Optional.empty();
  }

  private ApiResponse users(ApiRequest req) throws ApiException {
    if (req.method().equals("GET")) {
      return new ApiResponse(200, Map.of("users", node.accounts().users()));
    }
    allow(req.method(), "POST");
    JsonNode json = object(req.body(), Set.of("name", "password", "role"));
    String name = json.path("name").asText(null);
    String password = json.hasNonNull("password") ? json.path("password").asText() : null;
    Optional<Role> role = json.hasNonNull("role") ? Optional.of(role(json)) : Optional.empty();
    Optional<String> generated = node.accounts().addUser(name, password, role);
    log.info("management API: user '{}' added by {}", name, req.caller());
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("name", name);
    node.accounts().role(name).ifPresent(r -> answer.put("role", r.word()));
    generated.ifPresent(g -> answer.put("generatedPassword", g));
    return new ApiResponse(201, answer);
  }

  private ApiResponse tokens(ApiRequest req) throws ApiException {
    Caller caller = req.caller();
    if (req.method().equals("GET")) {
      List<ApiTokens.Token> all = node.accounts().tokens();
      return new ApiResponse(
          200,
          Map.of(
              "tokens",
              isAdmin(caller)
                  ? all
                  : all.stream().filter(t -> t.user().equals(userOf(caller))).toList()));
    }
    allow(req.method(), "POST");
    JsonNode json = object(req.body(), Set.of("user", "label", "readOnly", "role", "expiresIn"));
    String user = json.path("user").asText(null);
    if (user == null && caller.via().equals("socket")) {
      throw new ApiException(
          400, "user: required on the Unix socket (the management user the token acts as)");
    }
    // A token makes no tokens: a leaked one must not outlive itself.
    if (caller.via().equals("token")) {
      throw new ApiException(
          403, "a token cannot make tokens: log in with a password, or use the node's socket");
    }
    // A token acts as its creator: only the node's own administrator (the Unix socket) makes
    // one for another user.
    if (user != null && !caller.via().equals("socket") && !user.equals(userOf(caller))) {
      throw new ApiException(
          403,
          "user: a token is made for the caller ("
              + userOf(caller)
              + "); tokens for other users are made on the node (lbctl token create)");
    }
    user = user == null ? userOf(caller) : user;
    // By default what the maker may, and on the socket (an admin) what the user may.
    Role role =
        json.hasNonNull("role")
            ? role(json)
            : caller.via().equals("socket")
                ? node.accounts().role(user).orElse(Role.VIEWER)
                : caller.role();
    if (!caller.role().allows(role)) {
      throw new ApiException(
          403,
          "role: a token may do at most what its maker may (" + caller.role() + "), not " + role);
    }
    java.time.Duration lifetime = ApiTokens.DEFAULT_LIFETIME;
    if (json.hasNonNull("expiresIn")) {
      try {
        lifetime = org.lbctl.core.config.Durations.parse(json.path("expiresIn").asText());
      } catch (IllegalArgumentException e) {
        throw new ApiException(400, "expiresIn: " + e.getMessage());
      }
    }
    String token =
        node.accounts()
            .createToken(
                user, json.path("label").asText(null), flag(json, "readOnly"), role, lifetime);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("user", user);
    answer.put("role", role.word());
    answer.put("token", token);
    return new ApiResponse(201, answer);
  }

  /**
   * DELETE /v1/users/{name}, PUT .../password {password?}, PUT .../disabled {disabled}, PUT
   * .../role {role}.
   */
  private ApiResponse user(ApiRequest req, String name, String part) throws ApiException {
    Caller caller = req.caller();
    if (part == null) {
      allow(req.method(), "DELETE");
      node.accounts().removeUser(name);
      log.warn("management API: user '{}' removed by {}", name, caller);
      return new ApiResponse(200, Map.of("removed", name));
    }
    allow(req.method(), "PUT");
    switch (part) {
      case "/password" -> {
        // Anyone their own, with a password or in a session; an admin anyone's.
        boolean own = name.equals(userOf(caller)) && !caller.via().equals("token");
        if (!own && !isAdmin(caller)) {
          throw new ApiException(
              403,
              caller.user()
                  + " is "
                  + caller.role()
                  + ": only an admin sets another user's password"
                  + (caller.via().equals("token") ? ", and a token sets none" : ""));
        }
        JsonNode json = object(req.body(), Set.of("password"));
        String password = json.hasNonNull("password") ? json.path("password").asText() : null;
        Optional<String> generated = node.accounts().setPassword(name, password);
        log.warn("management API: password of '{}' changed by {}", name, caller);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", name);
        generated.ifPresent(g -> answer.put("generatedPassword", g));
        return new ApiResponse(200, answer);
      }
      case "/role" -> {
        Role role = role(object(req.body(), Set.of("role")));
        node.accounts().setRole(name, role);
        log.warn("management API: user '{}' made {} by {}", name, role, caller);
        return new ApiResponse(200, Map.of("name", name, "role", role.word()));
      }
      default -> {
        JsonNode json = object(req.body(), Set.of("disabled"));
        if (!json.path("disabled").isBoolean()) {
          throw new ApiException(400, "disabled: expected true or false");
        }
        node.accounts().setUserDisabled(name, json.path("disabled").asBoolean());
        return new ApiResponse(
            200, Map.of("name", name, "disabled", json.path("disabled").asBoolean()));
      }
    }
  }

  private static Role role(JsonNode json) throws ApiException {
    JsonNode v = json.get("role");
    if (v == null || !v.isTextual()) {
      throw new ApiException(400, "role: required, one of " + Role.words());
    }
    return Role.parse(v.textValue())
        .orElseThrow(
            () ->
                new ApiException(
                    400,
                    "role: '"
                        + org.lbctl.core.audit.LogText.field(v.textValue())
                        + "' (expected one of: "
                        + Role.words()
                        + ")"));
  }

  private static boolean isAdmin(Caller caller) {
    return caller.role().allows(Role.ADMIN);
  }

  /** The user behind a caller: a token's owner, the socket's account as is. */
  private static String userOf(Caller caller) {
    String u = caller.user();
    int paren = u.indexOf(" (token ");
    return paren < 0 ? u : u.substring(0, paren);
  }
}
