package org.lbctl.core.api;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.lbctl.core.auth.Role;

/**
 * Every operation of the management API with the role it needs. The permission check reads this
 * table and {@code /v1/openapi.json} is made from it, so what the API allows and what it says it
 * allows cannot differ.
 */
public final class ApiRoutes {
  private ApiRoutes() {}

  /**
   * One operation.
   *
   * @param path as OpenAPI writes it, parameters in braces
   * @param role the least role that may call it; where {@code own} is set, a lesser one may for its
   *     own user or token
   * @param fields the JSON body's fields, empty for none
   */
  public record Route(
      String method, String path, Role role, boolean own, String summary, List<String> fields) {
    public Route {
      fields = List.copyOf(fields);
    }

    /** The path's parameters, in order: {@code vip}, {@code rip}. */
    public List<String> parameters() {
      return PARAMETER.matcher(path).results().map(m -> m.group(1)).toList();
    }
  }

  private static final Pattern PARAMETER = Pattern.compile("\\{([a-z]+)\\}");

  private static Route r(String method, String path, Role role, String summary, String... fields) {
    return new Route(method, path, role, false, summary, List.of(fields));
  }

  private static Route own(
      String method, String path, Role role, String summary, String... fields) {
    return new Route(method, path, role, true, summary, List.of(fields));
  }

  private static final String VS = "/v1/virtual-services/{vip}";

  public static final List<Route> ALL =
      List.of(
          r("GET", "/v1/status", Role.VIEWER, "The node: virtual services, health, pair, cluster"),
          r("GET", "/metrics", Role.VIEWER, "Prometheus metrics (text format)"),
          r("GET", "/v1/whoami", Role.VIEWER, "The caller: user, role and how it logged in"),
          r(
              "GET",
              "/v1/events",
              Role.VIEWER,
              "Status changes as server-sent events: health, admin, service, pair, group, config"),
          r(
              "GET",
              "/v1/history",
              Role.VIEWER,
              "The last hour, every 10 s: connections, new connections/s, bytes/s, health"),
          r("GET", "/v1/openapi.json", Role.VIEWER, "This description of the API"),
          r("GET", "/v1/config", Role.VIEWER, "The running configuration, secrets masked"),
          r("PUT", "/v1/config", Role.ADMIN, "Replace the configuration (If-Match: its ETag)"),
          r("POST", "/v1/reload", Role.ADMIN, "Load the configuration file again"),
          r("GET", "/v1/certificates", Role.VIEWER, "The certificates and their expiry"),
          r(
              "PUT",
              "/v1/certificates/{name}",
              Role.ADMIN,
              "Store a certificate and key (PEM) in the configuration",
              "certificate",
              "key"),
          r("GET", "/v1/audit", Role.OPERATOR, "The audit trail, newest first"),
          r("GET", VS + "/stick-table", Role.VIEWER, "A virtual service's stick table"),
          r("DELETE", VS + "/stick-table", Role.OPERATOR, "Clear a virtual service's stick table"),
          r(
              "PUT",
              VS + "/real-servers/{rip}/admin-state",
              Role.OPERATOR,
              "Drain, halt or bring back a real server",
              "state"),
          r("POST", "/v1/pair/failover", Role.OPERATOR, "Hand the active role to the peer"),
          r(
              "POST",
              "/v1/groups/move",
              Role.OPERATOR,
              "Move a VIP group to a cluster member",
              "group",
              "node"),
          r("POST", "/v1/pair/promote", Role.ADMIN, "Let a secondary take edits", "force"),
          r("POST", "/v1/pair/accept", Role.ADMIN, "Offer this lone node for pairing", "listen"),
          r(
              "POST",
              "/v1/pair",
              Role.ADMIN,
              "Pair with a node that offered a token",
              "peer",
              "token",
              "bind",
              "pingTargets",
              "failback",
              "force",
              "interface"),
          r("POST", "/v1/pair/break", Role.ADMIN, "End the pair on both nodes", "force"),
          r("POST", "/v1/cluster/invite", Role.ADMIN, "Offer a token to a joining node", "listen"),
          r(
              "POST",
              "/v1/cluster/join",
              Role.ADMIN,
              "Join the cluster of a member that offered a token",
              "peer",
              "token",
              "name",
              "bind",
              "interface",
              "force"),
          r("POST", "/v1/cluster/leave", Role.ADMIN, "Leave the cluster"),
          r("POST", "/v1/cluster/remove", Role.ADMIN, "Remove a member", "member"),
          r("GET", "/v1/users", Role.ADMIN, "The management users and their roles"),
          r(
              "POST",
              "/v1/users",
              Role.ADMIN,
              "Add a user (no password: one is generated and shown once)",
              "name",
              "password",
              "role"),
          r("DELETE", "/v1/users/{name}", Role.ADMIN, "Remove a user and its tokens"),
          own(
              "PUT",
              "/v1/users/{name}/password",
              Role.ADMIN,
              "Set a password (any user its own)",
              "password"),
          r("PUT", "/v1/users/{name}/disabled", Role.ADMIN, "Disable or enable a user", "disabled"),
          r("PUT", "/v1/users/{name}/role", Role.ADMIN, "Give a user a role", "role"),
          own("GET", "/v1/tokens", Role.ADMIN, "The API tokens (a user's own below admin)"),
          own(
              "POST",
              "/v1/tokens",
              Role.ADMIN,
              "Make an API token (any user for itself, at most its role)",
              "user",
              "label",
              "readOnly",
              "role",
              "expiresIn"),
          own("DELETE", "/v1/tokens/{id}", Role.ADMIN, "Revoke a token (any user its own)"));

  /** The operation a request asks for; empty for a path or method the API does not have. */
  public static Optional<Route> find(String method, String path) {
    for (int i = 0; i < ALL.size(); i++) {
      if (ALL.get(i).method().equals(method) && PATTERNS.get(i).matcher(path).matches()) {
        return Optional.of(ALL.get(i));
      }
    }
    return Optional.empty();
  }

  /** The methods the API has for {@code path}; empty when it has none. */
  public static List<String> methodsOf(String path) {
    List<String> methods = new java.util.ArrayList<>();
    for (int i = 0; i < ALL.size(); i++) {
      if (PATTERNS.get(i).matcher(path).matches()) {
        methods.add(ALL.get(i).method());
      }
    }
    return methods;
  }

  private static final List<Pattern> PATTERNS =
      ALL.stream()
          .map(r -> Pattern.compile(PARAMETER.matcher(r.path()).replaceAll("[^/]+")))
          .toList();
}
