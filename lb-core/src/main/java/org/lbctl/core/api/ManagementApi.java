package org.lbctl.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.proxy.ListenerChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one management API: routes a request to the node and shapes the answer. It knows nothing of
 * sockets, so the Unix-socket listener and the HTTPS listener serve the same handlers.
 *
 * <pre>
 * GET  /v1/status
 * GET  /v1/config
 * POST /v1/reload
 * POST /v1/pair/failover
 * POST /v1/pair/promote
 * PUT  /v1/virtual-services/{vip}/real-servers/{rip}/admin-state   {"state": "halt"}
 * </pre>
 */
public final class ManagementApi {
  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);
  private static final Pattern ADMIN_STATE =
      Pattern.compile("/v1/virtual-services/([^/]+)/real-servers/([^/]+)/admin-state");
  static final ObjectMapper JSON = new ObjectMapper();

  private final NodeControl node;

  public ManagementApi(NodeControl node) {
    this.node = node;
  }

  /**
   * Answers one request.
   *
   * @param caller who asked, for the log (e.g. {@code unix socket})
   */
  public ApiResponse handle(String method, String path, byte[] body, String caller) {
    try {
      return route(method, path, body, caller);
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

  private ApiResponse route(String method, String path, byte[] body, String caller)
      throws ApiException {
    switch (path) {
      case "/v1/status" -> {
        allow(method, "GET");
        return new ApiResponse(200, node.status());
      }
      case "/v1/config" -> {
        allow(method, "GET");
        return new ApiResponse(200, ConfigWriter.toTree(node.runningConfig()));
      }
      case "/v1/pair/failover" -> {
        allow(method, "POST");
        log.warn("manual failover requested by {}", caller);
        return new ApiResponse(200, node.failover());
      }
      case "/v1/pair/promote" -> {
        allow(method, "POST");
        log.warn("promote requested by {}", caller);
        node.promote();
        return new ApiResponse(200, node.status());
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
        var status = node.status();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("configVersion", status.configVersion());
        answer.put("configHash", status.configHash());
        answer.put("added", changes.added());
        answer.put("removed", changes.removed());
        answer.put("kept", changes.kept());
        return new ApiResponse(200, answer);
      }
      default -> {}
    }
    Matcher m = ADMIN_STATE.matcher(path);
    if (m.matches()) {
      allow(method, "PUT");
      return setAdminState(m.group(1), m.group(2), body, caller);
    }
    throw new ApiException(404, "no such resource: " + path);
  }

  private ApiResponse setAdminState(String vip, String rip, byte[] body, String caller)
      throws ApiException {
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(400, "body is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new ApiException(400, "cannot read body: " + e.getMessage());
    }
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

  private static void allow(String method, String allowed) throws ApiException {
    if (!method.equals(allowed)) {
      throw new ApiException(405, method + " is not allowed here (expected: " + allowed + ")");
    }
  }

  private static Map<String, String> problem(ConfigProblem p) {
    return Map.of("path", p.path(), "message", p.message());
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
