package org.lbctl.core.api;

import static org.lbctl.core.api.Bodies.allow;
import static org.lbctl.core.api.Bodies.device;
import static org.lbctl.core.api.Bodies.endpoint;
import static org.lbctl.core.api.Bodies.flag;
import static org.lbctl.core.api.Bodies.name;
import static org.lbctl.core.api.Bodies.object;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lbctl.core.auth.Caller;
import org.lbctl.core.config.Endpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pair's and the cluster's operations: pairing, failover, promotion, groups and members. */
final class PairRoutes {
  // The API's logger: who asked for a failover is found where it always was.
  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);
  private final NodeControl node;

  PairRoutes(NodeControl node) {
    this.node = node;
  }

  /** The answer to a pair or cluster path; empty for any other path. */
  Optional<ApiResponse> route(ApiRequest req) throws ApiException {
    String method = req.method();
    byte[] body = req.body();
    Caller caller = req.caller();
    switch (req.path()) {
      case "/v1/pair/failover" -> {
        allow(method, "POST");
        log.warn("manual failover requested by {}", caller);
        return Optional.of(new ApiResponse(200, node.failover()));
      }
      case "/v1/pair/promote" -> {
        allow(method, "POST");
        JsonNode json = object(body, Set.of("force"));
        if (json.has("force") && !json.get("force").isBoolean()) {
          throw new ApiException(400, "force: expected true or false");
        }
        boolean force = json.path("force").asBoolean(false);
        log.warn("promote{} requested by {}", force ? " (forced)" : "", caller);
        node.promote(force);
        return Optional.of(new ApiResponse(200, node.status()));
      }
      case "/v1/pair/accept" -> {
        allow(method, "POST");
        JsonNode json = object(body, Set.of("listen"));
        InetSocketAddress listen = endpoint(json, "listen", true).orElseThrow();
        PairingOffer offer = node.acceptPairing(listen);
        log.warn(
            "pairing offered by {}: listening on {} until {}",
            caller,
            offer.listen(),
            offer.expiresAt());
        return Optional.of(new ApiResponse(200, offer));
      }
      case "/v1/pair" -> {
        allow(method, "POST");
        PairOrder order = pairOrder(body);
        log.warn("pairing with {} requested by {}", Endpoints.format(order.peer()), caller);
        return Optional.of(new ApiResponse(200, node.pair(order)));
      }
      case "/v1/groups/move" -> {
        allow(method, "POST");
        JsonNode json = object(body, Set.of("group", "node"));
        String group = name(json, "group");
        String to = name(json, "node");
        log.warn("moving group {} to {} requested by {}", group, to, caller);
        return Optional.of(new ApiResponse(200, node.moveGroup(group, to)));
      }
      case "/v1/cluster/invite" -> {
        allow(method, "POST");
        JsonNode json = object(body, Set.of("listen"));
        PairingOffer offer = node.inviteToCluster(endpoint(json, "listen", false));
        log.warn(
            "cluster invitation offered by {}: listening on {} until {}",
            caller,
            offer.listen(),
            offer.expiresAt());
        return Optional.of(new ApiResponse(200, offer));
      }
      case "/v1/cluster/join" -> {
        allow(method, "POST");
        JoinOrder order = joinOrder(body);
        log.warn(
            "joining the cluster of {} requested by {}", Endpoints.format(order.peer()), caller);
        return Optional.of(new ApiResponse(200, node.joinCluster(order)));
      }
      case "/v1/cluster/leave" -> {
        allow(method, "POST");
        object(body, Set.of());
        log.warn("leaving the cluster requested by {}", caller);
        return Optional.of(new ApiResponse(200, node.leaveCluster()));
      }
      case "/v1/cluster/remove" -> {
        allow(method, "POST");
        String member = name(object(body, Set.of("member")), "member");
        log.warn("removing member {} from the cluster requested by {}", member, caller);
        return Optional.of(new ApiResponse(200, node.removeMember(member)));
      }
      case "/v1/pair/break" -> {
        allow(method, "POST");
        JsonNode json = object(body, Set.of("force"));
        boolean force = json.path("force").asBoolean(false);
        log.warn("breaking the pair requested by {}{}", caller, force ? " (forced)" : "");
        return Optional.of(new ApiResponse(200, node.breakPair(force)));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  private static PairOrder pairOrder(byte[] body) throws ApiException {
    JsonNode json =
        object(
            body, Set.of("peer", "token", "bind", "pingTargets", "failback", "force", "interface"));
    InetSocketAddress peer = endpoint(json, "peer", true).orElseThrow();
    JsonNode token = json.get("token");
    if (token == null || !token.isTextual() || token.textValue().isBlank()) {
      throw new ApiException(400, "token: required (the token that `lbctl pair --accept` printed)");
    }
    JsonNode targets = json.get("pingTargets");
    if (targets == null || !targets.isArray()) {
      throw new ApiException(
          400,
          "pingTargets: required, a list of IP addresses (such as the gateway) of which one must"
              + " answer before a node takes over; an empty list means take over without asking");
    }
    List<String> pingTargets = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      JsonNode t = targets.get(i);
      if (!t.isTextual() || !Endpoints.isIp(t.textValue())) {
        throw new ApiException(400, "pingTargets[" + i + "]: " + t + " is not an IP address");
      }
      pingTargets.add(t.textValue());
    }
    Optional<String> device = device(json);
    return new PairOrder(
        peer,
        token.textValue(),
        endpoint(json, "bind", false),
        pingTargets,
        flag(json, "failback"),
        flag(json, "force"),
        device);
  }

  private static JoinOrder joinOrder(byte[] body) throws ApiException {
    JsonNode json = object(body, Set.of("peer", "token", "name", "bind", "interface", "force"));
    InetSocketAddress peer = endpoint(json, "peer", true).orElseThrow();
    JsonNode token = json.get("token");
    if (token == null || !token.isTextual() || token.textValue().isBlank()) {
      throw new ApiException(
          400, "token: required (the token that `lbctl cluster invite` printed on a member)");
    }
    Optional<String> name =
        json.hasNonNull("name") ? Optional.of(name(json, "name")) : Optional.empty();
    Optional<String> device = device(json);
    return new JoinOrder(
        peer, token.textValue(), name, endpoint(json, "bind", false), device, flag(json, "force"));
  }
}
