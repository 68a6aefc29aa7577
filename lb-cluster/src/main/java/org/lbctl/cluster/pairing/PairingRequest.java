package org.lbctl.cluster.pairing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.PairSettings;

/**
 * What the primary asks of the node it pairs with. Travels sealed under the token.
 *
 * @param requestId binds the answer to this request
 * @param primary the primary's pair address: the secondary's peer
 * @param secret the fresh pair secret both nodes will share
 * @param pingTargets the pair's ping targets, the same on both nodes
 * @param failback the pair's failback setting
 * @param force replace the peer's own virtual services
 */
public record PairingRequest(
    String requestId,
    InetSocketAddress primary,
    String secret,
    List<String> pingTargets,
    boolean failback,
    boolean force) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public PairingRequest {
    requireNonNull(requestId, "requestId");
    requireNonNull(primary, "primary");
    requireNonNull(secret, "secret");
    pingTargets = List.copyOf(pingTargets);
  }

  byte[] toBytes() throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("requestId", requestId);
    n.put("primary", Endpoints.format(primary));
    n.put("secret", secret);
    pingTargets.forEach(n.putArray("pingTargets")::add);
    n.put("failback", failback);
    n.put("force", force);
    return JSON.writeValueAsBytes(n);
  }

  static PairingRequest from(byte[] bytes) throws PairingException {
    JsonNode n;
    try {
      n = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new PairingException("the request is not JSON: " + e.getMessage());
    }
    Optional<InetSocketAddress> primary =
        Endpoints.parse(n.path("primary").asText(), PairSettings.DEFAULT_PORT);
    if (n.path("requestId").asText().isEmpty()
        || primary.isEmpty()
        || n.path("secret").asText().length() < 16
        || !n.path("pingTargets").isArray()) {
      throw new PairingException("the request lacks requestId, primary, secret or pingTargets");
    }
    List<String> targets = new ArrayList<>();
    for (JsonNode t : n.path("pingTargets")) {
      if (!Endpoints.isIp(t.asText())) {
        throw new PairingException("ping target '" + t.asText() + "' is not an IP address");
      }
      targets.add(t.asText());
    }
    return new PairingRequest(
        n.path("requestId").asText(),
        primary.get(),
        n.path("secret").asText(),
        targets,
        n.path("failback").asBoolean(false),
        n.path("force").asBoolean(false));
  }

  /** Never the secret. */
  @Override
  public String toString() {
    return "PairingRequest[primary=" + Endpoints.format(primary) + ", force=" + force + "]";
  }
}
