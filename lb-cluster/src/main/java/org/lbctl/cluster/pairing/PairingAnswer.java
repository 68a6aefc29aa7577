package org.lbctl.cluster.pairing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The peer's answer to a pairing request.
 *
 * @param accepted whether the peer is now the secondary of this pair
 * @param reason why not, for the operator; empty when accepted
 * @param hostname the peer's host name, for the log
 * @param virtualServices the peer's own virtual services (named when they block pairing)
 */
public record PairingAnswer(
    boolean accepted, String reason, String hostname, List<String> virtualServices) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public PairingAnswer {
    virtualServices = List.copyOf(virtualServices);
  }

  public static PairingAnswer accepted(String hostname) {
    return new PairingAnswer(true, "", hostname, List.of());
  }

  public static PairingAnswer refused(String reason, String hostname, List<String> services) {
    return new PairingAnswer(false, reason, hostname, services);
  }

  byte[] toBytes() throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("accepted", accepted);
    n.put("reason", reason);
    n.put("hostname", hostname);
    virtualServices.forEach(n.putArray("virtualServices")::add);
    return JSON.writeValueAsBytes(n);
  }

  static PairingAnswer from(byte[] bytes) throws PairingException {
    try {
      JsonNode n = JSON.readTree(bytes);
      List<String> services = new ArrayList<>();
      n.path("virtualServices").forEach(v -> services.add(v.asText()));
      return new PairingAnswer(
          n.path("accepted").asBoolean(false),
          n.path("reason").asText(""),
          n.path("hostname").asText(""),
          services);
    } catch (IOException e) {
      throw new PairingException("the peer's answer is not JSON: " + e.getMessage());
    }
  }
}
