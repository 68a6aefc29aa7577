package org.lbctl.cluster.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.lbctl.core.config.ConfigVersion;

/**
 * One version of the replicated configuration sent to the peer: the document exactly as the sending
 * node loaded it (comments and all), so both nodes' files read the same.
 */
public record ConfigPush(ConfigVersion version, byte[] document) {
  public static final String TYPE = "config";
  private static final ObjectMapper JSON = new ObjectMapper();

  public byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(
          JSON.createObjectNode()
              .put("type", TYPE)
              .put("version", version.number())
              .put("hash", version.hash())
              .put("document", new String(document, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a configuration message", e);
    }
  }

  public static ConfigPush from(JsonNode n) throws IOException {
    if (!TYPE.equals(n.path("type").asText())
        || !n.path("version").canConvertToLong()
        || !n.path("hash").isTextual()
        || !n.path("document").isTextual()) {
      throw new IOException("malformed configuration message");
    }
    try {
      return new ConfigPush(
          new ConfigVersion(n.path("version").asLong(), n.path("hash").asText()),
          n.path("document").asText().getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed configuration message: " + e.getMessage(), e);
    }
  }
}
