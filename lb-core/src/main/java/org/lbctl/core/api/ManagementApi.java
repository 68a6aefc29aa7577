package org.lbctl.core.api;

import static org.lbctl.core.api.Bodies.allow;
import static org.lbctl.core.api.Bodies.number;
import static org.lbctl.core.api.Bodies.object;
import static org.lbctl.core.api.Bodies.parse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lbctl.core.audit.AuditEntry;
import org.lbctl.core.audit.AuditLog;
import org.lbctl.core.auth.Caller;
import org.lbctl.core.auth.Role;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.events.EventHub;
import org.lbctl.core.history.StatusHistory;
import org.lbctl.core.metrics.PrometheusText;
import org.lbctl.core.proxy.ListenerChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one management API: routes a request to the node and shapes the answer. It knows nothing of
 * sockets, so the Unix-socket listener and the HTTPS listener serve the same handlers.
 *
 * <pre>
 * GET  /v1/status
 * GET  /metrics                (Prometheus text format)
 * GET  /v1/config            (ETag: the running version's hash)
 * PUT  /v1/config            (If-Match required: a stale version gets 409)
 * POST /v1/reload
 * POST /v1/groups/move        {"group": "imaging", "node": "lb3"}
 * POST /v1/cluster/invite     {"listen": "10.99.0.11"}    a member offers a token to a new node
 * POST /v1/cluster/join       {"peer": "10.99.0.11", "token": "...", "name": "lb4", ...}
 * POST /v1/cluster/leave
 * POST /v1/cluster/remove     {"member": "lb4"}
 * POST /v1/pair/failover
 * POST /v1/pair/promote
 * POST /v1/pair/accept     {"listen": "10.99.0.12"}                  a lone node offers a token
 * POST /v1/pair            {"peer": "10.99.0.12", "token": "...", "pingTargets": [...], ...}
 * POST /v1/pair/break      {"force": false}
 * PUT  /v1/virtual-services/{vip}/real-servers/{rip}/admin-state   {"state": "halt"}
 * GET  /v1/virtual-services/{vip}/stick-table
 * DELETE /v1/virtual-services/{vip}/stick-table
 * GET|POST /v1/users, DELETE /v1/users/{name}, PUT /v1/users/{name}/password|disabled,
 * GET|POST /v1/tokens, DELETE /v1/tokens/{id}
 * GET  /v1/certificates, PUT /v1/certificates/{name} {"certificate": PEM, "key": PEM}
 * GET  /v1/audit
 * </pre>
 *
 * Every request that is not a GET is written to the audit log with its caller and outcome.
 */
public final class ManagementApi {
  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);
  private static final Pattern STICK_TABLE =
      Pattern.compile("/v1/virtual-services/([^/]+)/stick-table");
  private static final Pattern ADMIN_STATE =
      Pattern.compile("/v1/virtual-services/([^/]+)/real-servers/([^/]+)/admin-state");
  static final ObjectMapper JSON = new ObjectMapper();

  private static final Set<String> READ_ONLY_PATHS = Set.of("/v1/status", "/metrics");
  private static final Pattern CERTIFICATE =
      Pattern.compile("/v1/certificates/([A-Za-z0-9][A-Za-z0-9._-]{0,63})");

  private final NodeControl node;
  private final AuditLog audit;
  private final EventHub events;
  private final StatusHistory history;
  private final AccountRoutes accounts;
  private final PairRoutes pairs;
  // Held by the change under way: one at a time, as each reads the state the last one left.
  private final Object changes = new Object();

  public ManagementApi(NodeControl node, AuditLog audit, EventHub events, StatusHistory history) {
    this.node = node;
    this.audit = audit;
    this.events = events;
    this.history = history;
    this.accounts = new AccountRoutes(node);
    this.pairs = new PairRoutes(node);
  }

  public AuditLog audit() {
    return audit;
  }

  /**
   * Answers one request; a change, done or refused, goes to the audit log. Changes run one at a
   * time, whichever listener's worker calls; reads run beside them and read what the node shows.
   */
  public ApiResponse handle(ApiRequest req) {
    if (Lanes.isRead(req.method())) {
      return answer(req);
    }
    synchronized (changes) {
      return change(req);
    }
  }

  private ApiResponse change(ApiRequest req) {
    ApiResponse answer = answer(req);
    String detail = AuditLog.detail(req.body());
    if (answer.status() / 100 != 2 && answer.body() instanceof Map<?, ?> m) {
      detail = (detail.isEmpty() ? "" : detail + "; ") + m.get("error");
    }
    audit.record(
        new AuditEntry(
            Instant.now(), req.caller(), req.method() + " " + req.path(), answer.status(), detail));
    return answer;
  }

  private ApiResponse answer(ApiRequest req) {
    String method = req.method();
    String path = req.path();
    try {
      if (!req.caller().mayChange() && !method.equals("GET")) {
        throw new ApiException(403, "this API token is read-only");
      }
      // A read-only token is a scraper's: the status and the metrics, nothing about accounts,
      // the configuration or the audit trail.
      if (!req.caller().mayChange() && !READ_ONLY_PATHS.contains(path)) {
        throw new ApiException(
            403, "a read-only API token reads /v1/status and /metrics only, not " + path);
      }
      Optional<ApiRoutes.Route> known = ApiRoutes.find(method, path);
      // Only what the table names is answered: a handler added without its role is unreachable.
      if (known.isEmpty()) {
        List<String> methods = ApiRoutes.methodsOf(path);
        if (methods.isEmpty()) {
          throw new ApiException(404, "no such resource: " + path);
        }
        throw new ApiException(
            405, method + " is not allowed here (expected: " + String.join(", ", methods) + ")");
      }
      Role role = req.caller().role();
      if (!known.get().own() && !role.allows(known.get().role())) {
        throw new ApiException(
            403,
            req.caller().user()
                + " is "
                + role
                + ": "
                + known.get().summary().toLowerCase(java.util.Locale.ROOT)
                + " needs the "
                + known.get().role()
                + " role");
      }
      return route(req);
    } catch (ApiException e) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("error", e.getMessage());
      if (!e.problems().isEmpty()) {
        error.put("problems", e.problems().stream().map(ManagementApi::problem).toList());
      }
      return new ApiResponse(e.status(), error);
    } catch (RuntimeException e) {
      log.error("management API: {} {} failed", method, path, e);
      return new ApiResponse(500, Map.of("error", "internal error: " + e));
    }
  }

  private ApiResponse route(ApiRequest req) throws ApiException {
    String method = req.method();
    String path = req.path();
    byte[] body = req.body();
    Caller caller = req.caller();
    Optional<ApiResponse> routed = accounts.route(req);
    if (routed.isEmpty()) {
      routed = pairs.route(req);
    }
    if (routed.isPresent()) {
      return routed.get();
    }
    switch (path) {
      case "/v1/whoami" -> {
        allow(method, "GET");
        Caller c = req.caller();
        return new ApiResponse(
            200,
            Map.of("user", c.user(), "role", c.role().word(), "via", c.via(), "from", c.from()));
      }
      case "/v1/events" -> {
        allow(method, "GET");
        return new ApiResponse(200, new EventStream(events, req.stillAdmitted()));
      }
      case "/v1/history" -> {
        allow(method, "GET");
        return new ApiResponse(200, history.snapshot());
      }
      case "/v1/openapi.json" -> {
        allow(method, "GET");
        return new ApiResponse(200, OpenApi.document());
      }
      case "/v1/status" -> {
        allow(method, "GET");
        return new ApiResponse(200, node.status());
      }
      case "/metrics" -> {
        allow(method, "GET");
        return new ApiResponse(
            200, new TextBody(PrometheusText.CONTENT_TYPE, PrometheusText.of(node.status())));
      }
      case "/v1/config" -> {
        if (method.equals("PUT")) {
          return replaceConfig(req);
        }
        allow(method, "GET");
        // The body and its ETag of one version: a change may land between two reads (reads no
        // longer wait for changes), and an edit on a stale body under a new ETag would undo it.
        for (int attempt = 1; ; attempt++) {
          String hash = node.status().configHash();
          var config = node.runningConfig();
          if (hash.equals(node.status().configHash()) || attempt == 5) {
            return new ApiResponse(
                200, ConfigSecrets.masked(ConfigWriter.toTree(config)), Map.of("ETag", etag(hash)));
          }
        }
      }
      case "/v1/certificates" -> {
        allow(method, "GET");
        return new ApiResponse(
            200,
            Map.of("certificates", org.lbctl.core.tls.TlsMaterial.summaries(node.runningConfig())));
      }
      case "/v1/audit" -> {
        allow(method, "GET");
        int limit = number(req, "limit", 100, 1, 500);
        long before = number(req, "before", Long.MAX_VALUE, 1, Long.MAX_VALUE);
        List<AuditLog.Numbered> page = audit.page(limit, before);
        List<Map<String, Object>> entries = new java.util.ArrayList<>();
        for (AuditLog.Numbered n : page) {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("number", n.number());
          e.putAll(AuditLog.toMap(n.entry()));
          entries.add(e);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("entries", entries);
        // The next (older) page, while there may be one.
        if (page.size() == limit) {
          answer.put(
              "next", "/v1/audit?limit=" + limit + "&before=" + page.get(limit - 1).number());
        }
        return new ApiResponse(200, answer);
      }
      case "/v1/reload" -> {
        allow(method, "POST");
        ListenerChanges changes = node.reload();
        log.info(
            "configuration reloaded by {}: listeners added {}, removed {}, kept {}",
            caller,
            changes.added(),
            changes.removed(),
            changes.kept().size());
        return applied(changes);
      }
      default -> {}
    }
    Matcher stick = STICK_TABLE.matcher(path);
    if (stick.matches()) {
      String vip = stick.group(1);
      if (method.equals("DELETE")) {
        int cleared = node.clearStickTable(vip);
        log.warn("vip {}: stick table cleared by {} ({} entries)", vip, caller, cleared);
        return new ApiResponse(200, Map.of("virtualService", vip, "cleared", cleared));
      }
      allow(method, "GET");
      return new ApiResponse(200, node.stickTable(vip));
    }
    Matcher cert = CERTIFICATE.matcher(path);
    if (cert.matches()) {
      allow(method, "PUT");
      return uploadCertificate(cert.group(1), req);
    }
    Matcher m = ADMIN_STATE.matcher(path);
    if (m.matches()) {
      allow(method, "PUT");
      return setAdminState(m.group(1), m.group(2), body, caller);
    }
    throw new ApiException(404, "no such resource: " + path);
  }

  /** The version an edit is based on: its If-Match, which every edit of the configuration needs. */
  private static String basedOn(ApiRequest req) throws ApiException {
    return req.ifMatch()
        .map(ManagementApi::unquote)
        .orElseThrow(
            () ->
                new ApiException(
                    428,
                    "If-Match: required, the ETag of the configuration this change is based on"
                        + " (GET /v1/config)"));
  }

  /** A new configuration, only over the version the caller read. */
  private ApiResponse replaceConfig(ApiRequest req) throws ApiException {
    String expected = basedOn(req);
    if (req.body() == null || req.body().length == 0) {
      throw new ApiException(400, "body: the whole configuration, as JSON or YAML");
    }
    JsonNode tree;
    try {
      // What the caller sent is scanned as sent (YAML 1.1 numbers, aliases), with its lines.
      ConfigLoader.scan(req.body());
      tree = ConfigLoader.tree(req.body());
    } catch (ConfigException e) {
      throw refused("configuration refused; the running configuration is unchanged", e.problems());
    }
    ConfigSecrets.restore(tree, node.runningConfig());
    ListenerChanges changes;
    try {
      changes = node.replaceConfig(toJson(tree), expected);
    } catch (ApiException e) {
      // Its lines would be those of the document rewritten with the kept secrets, not the
      // caller's: the paths say where.
      throw new ApiException(
          e.status(),
          e.getMessage(),
          e.problems().stream().map(p -> new ConfigProblem(p.path(), p.message())).toList());
    }
    log.info("configuration {} written by {}", node.status().configVersion(), req.caller());
    return applied(changes);
  }

  /** The version now running, with its ETag, and what became of the listeners. */
  private ApiResponse applied(ListenerChanges changes) {
    var status = node.status();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("configVersion", status.configVersion());
    answer.put("configHash", status.configHash());
    answer.put("added", changes.added());
    answer.put("removed", changes.removed());
    answer.put("kept", changes.kept());
    return new ApiResponse(200, answer, Map.of("ETag", etag(status.configHash())));
  }

  /**
   * A certificate and key (PEM) stored in the configuration under {@code name}, replacing one of
   * that name; like any edit, only over the version the caller read, and refused with the reason
   * (expired, key not matching, not PEM) by the same checks as a file.
   */
  private ApiResponse uploadCertificate(String name, ApiRequest req) throws ApiException {
    String expected = basedOn(req);
    JsonNode json = object(req.body(), Set.of("certificate", "key"));
    String certificate = json.path("certificate").asText("");
    String key = json.path("key").asText("");
    if (!certificate.contains("-----BEGIN CERTIFICATE-----")) {
      throw new ApiException(400, "certificate: a PEM certificate chain, leaf first");
    }
    if (!key.contains("-----BEGIN PRIVATE KEY-----")) {
      throw new ApiException(
          400,
          "key: a PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----; convert others with openssl"
              + " pkcs8 -topk8 -nocrypt)");
    }
    ObjectNode tree = ConfigWriter.toTree(node.runningConfig());
    ArrayNode certs =
        tree.has("certificates")
            ? (ArrayNode) tree.get("certificates")
            : tree.putArray("certificates");
    ObjectNode entry = JSON.createObjectNode();
    entry.put("name", name).put("certificatePem", certificate).put("keyPem", key);
    boolean replaced = false;
    for (int i = 0; i < certs.size(); i++) {
      if (certs.get(i).path("name").asText().equals(name)) {
        certs.set(i, entry);
        replaced = true;
      }
    }
    if (!replaced) {
      certs.add(entry);
    }
    ListenerChanges changes = node.replaceConfig(toJson(tree), expected);
    log.warn("certificate {} {} by {}", name, replaced ? "replaced" : "uploaded", req.caller());
    return applied(changes);
  }

  private static String etag(String hash) {
    return "\"" + hash + "\"";
  }

  private static String unquote(String etag) {
    String t = etag.strip();
    if (t.startsWith("W/")) {
      t = t.substring(2);
    }
    return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")
        ? t.substring(1, t.length() - 1)
        : t;
  }

  private ApiResponse setAdminState(String vip, String rip, byte[] body, Caller caller)
      throws ApiException {
    JsonNode json = parse(body);
    JsonNode stateNode = json == null ? null : json.get("state");
    if (stateNode == null || !stateNode.isTextual()) {
      throw new ApiException(400, "body must be {\"state\": \"online\" | \"drain\" | \"halt\"}");
    }
    AdminState state =
        AdminState.parse(stateNode.textValue())
            .orElseThrow(
                () ->
                    new ApiException(
                        400,
                        "state: '"
                            + stateNode.textValue()
                            + "' (expected one of: online, drain, halt)"));
    AdminState previous = node.setAdminState(vip, rip, state);
    log.info(
        "vip {}: real server {} {} -> {} (by {})",
        vip,
        rip,
        previous.configName(),
        state.configName(),
        caller);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("virtualService", vip);
    answer.put("realServer", rip);
    answer.put("previous", previous.configName());
    answer.put("state", state.configName());
    return new ApiResponse(200, answer);
  }

  private static Map<String, Object> problem(ConfigProblem p) {
    return p.line() > 0
        ? Map.of("path", p.path(), "message", p.message(), "line", p.line())
        : Map.of("path", p.path(), "message", p.message());
  }

  public static byte[] toJson(Object body) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /** For a refused configuration: 422 with each problem. */
  public static ApiException refused(String what, List<ConfigProblem> problems) {
    return new ApiException(422, what, problems);
  }
}
