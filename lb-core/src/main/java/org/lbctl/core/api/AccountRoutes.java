package org.lbctl.core.api;

import static org.lbctl.core.api.Bodies.allow;
import static org.lbctl.core.api.Bodies.flag;
import static org.lbctl.core.api.Bodies.object;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The management users and their API tokens. */
final class AccountRoutes {
  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);
  private static final Pattern TOKEN = Pattern.compile("/v1/tokens/([0-9a-f]{8})");
  private static final Pattern USER =
      Pattern.compile("/v1/users/([a-z][a-z0-9._-]{0,31})(/password|/disabled)?");
  private final NodeControl node;

  AccountRoutes(NodeControl node) {
    this.node = node;
  }

  /** The answer to a users or tokens path; empty for any other path. */
  Optional<ApiResponse> route(ApiRequest req) throws ApiException {
    String method = req.method();
    String path = req.path();
    byte[] body = req.body();
    Caller caller = req.caller();
    switch (path) {
      case "/v1/users" -> {
        if (method.equals("GET")) {
          return Optional.of(new ApiResponse(200, Map.of("users", node.users())));
        }
        allow(method, "POST");
        JsonNode json = object(body, Set.of("name", "password"));
        String name = json.path("name").asText(null);
        String password = json.hasNonNull("password") ? json.path("password").asText() : null;
        Optional<String> generated = node.addUser(name, password);
        log.info("management API: user '{}' added by {}", name, caller);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", name);
        generated.ifPresent(g -> answer.put("generatedPassword", g));
        return Optional.of(new ApiResponse(201, answer));
      }
      case "/v1/tokens" -> {
        if (method.equals("GET")) {
          return Optional.of(new ApiResponse(200, Map.of("tokens", node.tokens())));
        }
        allow(method, "POST");
        JsonNode json = object(body, Set.of("user", "label", "readOnly", "expiresIn"));
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
        java.time.Duration lifetime = ApiTokens.DEFAULT_LIFETIME;
        if (json.hasNonNull("expiresIn")) {
          try {
            lifetime = org.lbctl.core.config.Durations.parse(json.path("expiresIn").asText());
          } catch (IllegalArgumentException e) {
            throw new ApiException(400, "expiresIn: " + e.getMessage());
          }
        }
        String token =
            node.createToken(
                user, json.path("label").asText(null), flag(json, "readOnly"), lifetime);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("user", user);
        answer.put("token", token);
        return Optional.of(new ApiResponse(201, answer));
      }
      default -> {}
    }
    Matcher user = USER.matcher(path);
    if (user.matches()) {
      return Optional.of(user(req, user.group(1), user.group(2)));
    }
    Matcher token = TOKEN.matcher(path);
    if (token.matches()) {
      allow(method, "DELETE");
      node.revokeToken(token.group(1));
      return Optional.of(new ApiResponse(200, Map.of("revoked", token.group(1))));
    }
    return Optional.empty();
  }

  /** DELETE /v1/users/{name}, PUT .../password {password?}, PUT .../disabled {disabled}. */
  private ApiResponse user(ApiRequest req, String name, String part) throws ApiException {
    Caller caller = req.caller();
    if (part == null) {
      allow(req.method(), "DELETE");
      node.removeUser(name);
      log.warn("management API: user '{}' removed by {}", name, caller);
      return new ApiResponse(200, Map.of("removed", name));
    }
    allow(req.method(), "PUT");
    if (part.equals("/password")) {
      JsonNode json = object(req.body(), Set.of("password"));
      String password = json.hasNonNull("password") ? json.path("password").asText() : null;
      Optional<String> generated = node.setPassword(name, password);
      log.warn("management API: password of '{}' changed by {}", name, caller);
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("name", name);
      generated.ifPresent(g -> answer.put("generatedPassword", g));
      return new ApiResponse(200, answer);
    }
    JsonNode json = object(req.body(), Set.of("disabled"));
    if (!json.path("disabled").isBoolean()) {
      throw new ApiException(400, "disabled: expected true or false");
    }
    node.setUserDisabled(name, json.path("disabled").asBoolean());
    return new ApiResponse(
        200, Map.of("name", name, "disabled", json.path("disabled").asBoolean()));
  }

  /** The user behind a caller: a token's owner, the socket's account as is. */
  private static String userOf(Caller caller) {
    String u = caller.user();
    int paren = u.indexOf(" (token ");
    return paren < 0 ? u : u.substring(0, paren);
  }
}
