package org.lbctl.cluster.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;

/**
 * What a node tells its peer about itself, on every change and twice a second.
 *
 * @param handover the sender gave up the active role on purpose: the receiver takes it now
 * @param config the version of the replicated configuration the sender runs
 * @param floatingIpsOwned the floating IPs the sender holds
 */
public record StateAnnouncement(
    PairRole role,
    PairState state,
    boolean handover,
    ConfigVersion config,
    List<String> floatingIpsOwned) {
  public static final String TYPE = "state";
  private static final ObjectMapper JSON = new ObjectMapper();

  public StateAnnouncement {
    floatingIpsOwned = List.copyOf(floatingIpsOwned);
  }

  public byte[] toBytes() {
    try {
      ObjectNode n =
          JSON.createObjectNode()
              .put("type", TYPE)
              .put("role", role.configName())
              .put("state", state.displayName())
              .put("handover", handover)
              .put("configVersion", config.number())
              .put("configHash", config.hash());
      floatingIpsOwned.forEach(n.putArray("floatingIpsOwned")::add);
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a state announcement", e);
    }
  }

  /** Reads a message; a message of another type or a malformed one is refused. */
  public static StateAnnouncement parse(byte[] bytes) throws IOException {
    return from(JSON.readTree(bytes));
  }

  public static StateAnnouncement from(JsonNode n) throws IOException {
    if (n == null || !TYPE.equals(n.path("type").asText())) {
      throw new IOException("not a state announcement");
    }
    try {
      List<String> owned = new ArrayList<>();
      n.path("floatingIpsOwned").forEach(ip -> owned.add(ip.asText()));
      return new StateAnnouncement(
          PairRole.valueOf(n.path("role").asText().toUpperCase(Locale.ROOT)),
          PairState.valueOf(n.path("state").asText().toUpperCase(Locale.ROOT)),
          n.path("handover").asBoolean(false),
          new ConfigVersion(n.path("configVersion").asLong(0), n.path("configHash").asText("")),
          owned);
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed state announcement: " + n, e);
    }
  }
}
