package org.lbctl.cluster.joining;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.lbctl.cluster.pairing.PairingException;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.PairSettings;

/**
 * What a node asks of the member that invited it. Travels sealed under the invitation's token.
 *
 * @param requestId binds the answer to this request
 * @param name the name it joins under
 * @param address its cluster address (UDP for the membership; the stick table at the same IP)
 */
public record JoinRequest(String requestId, String name, InetSocketAddress address) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

  public JoinRequest {
    requireNonNull(requestId, "requestId");
    requireNonNull(name, "name");
    requireNonNull(address, "address");
  }

  byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(
          JSON.createObjectNode()
              .put("requestId", requestId)
              .put("name", name)
              .put("address", Endpoints.format(address)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws PairingException when the request is not one (not JSON, a field missing or malformed)
   */
  static JoinRequest from(byte[] bytes) throws PairingException {
    JsonNode n;
    try {
      n = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new PairingException("the request is not JSON: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new PairingException("the request is not a JSON object");
    }
    String id = n.path("requestId").asText("");
    String name = n.path("name").asText("");
    Optional<InetSocketAddress> address =
        Endpoints.parse(n.path("address").asText(""), PairSettings.DEFAULT_PORT);
    if (id.isEmpty() || id.length() > 64 || !name.matches(NAME) || address.isEmpty()) {
      throw new PairingException(
          "the request lacks a requestId, a member name (letters, digits, _ . -) or an address");
    }
    return new JoinRequest(id, name, address.get());
  }
}
