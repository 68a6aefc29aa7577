package org.lbctl.cluster.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import org.lbctl.core.config.PairRole;

/**
 * What a node tells its peer about itself, on every change and whenever the view changes.
 *
 * @param handover the sender gave up the active role on purpose: the receiver takes it now
 * @param configHash the hash of the replicated configuration the sender runs
 */
public record StateAnnouncement(
    PairRole role, PairState state, boolean handover, String configHash) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(
          JSON.createObjectNode()
              .put("type", "state")
              .put("role", role.configName())
              .put("state", state.displayName())
              .put("handover", handover)
              .put("configHash", configHash));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a state announcement", e);
    }
  }

  /** Reads an announcement; a message of another type or a malformed one is refused. */
  public static StateAnnouncement parse(byte[] bytes) throws IOException {
    JsonNode n = JSON.readTree(bytes);
    if (n == null || !"state".equals(n.path("type").asText())) {
      throw new IOException("not a state announcement");
    }
    try {
      return new StateAnnouncement(
          PairRole.valueOf(n.path("role").asText().toUpperCase(Locale.ROOT)),
          PairState.valueOf(n.path("state").asText().toUpperCase(Locale.ROOT)),
          n.path("handover").asBoolean(false),
          n.path("configHash").asText(""));
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed state announcement: " + n, e);
    }
  }
}
