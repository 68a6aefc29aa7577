package org.lbctl.cluster.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import org.lbctl.core.config.ConfigVersion;
import org.slf4j.Logger;

/** What the configuration's and the accounts' syncs read alike in a member's message. */
final class SyncMessages {
  private SyncMessages() {}

  /**
   * Whether {@code bytes} starts as a message of {@code type} (the members' other words do not).
   */
  static boolean typed(byte[] bytes, String type) {
    byte[] prefix = ("{\"type\":\"" + type + "\"").getBytes(StandardCharsets.UTF_8);
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** The message's version: a number of at least {@code least} and a SHA-256 in hex. */
  static ConfigVersion version(JsonNode m, long least, String what) throws IOException {
    JsonNode number = m.get("version");
    JsonNode hash = m.get("hash");
    if (number == null
        || !number.isIntegralNumber()
        || number.asLong() < least
        || hash == null
        || !hash.isTextual()
        || !hash.textValue().matches("[0-9a-f]{64}")) {
      throw new IOException("a " + what + " message without a version or a hash");
    }
    return new ConfigVersion(number.asLong(), hash.textValue());
  }

  /** The message's document, base64 on the wire; empty when it carries none. */
  static Optional<byte[]> document(JsonNode m, String what) throws IOException {
    JsonNode document = m.get("document");
    if (document == null) {
      return Optional.empty();
    }
    if (!document.isTextual()) {
      throw new IOException("a " + what + " message whose document is not text");
    }
    try {
      return Optional.of(Base64.getDecoder().decode(document.textValue()));
    } catch (IllegalArgumentException e) {
      throw new IOException("a " + what + " message whose document is not base64");
    }
  }

  /** A sync's one thread. */
  static ScheduledExecutorService worker(String name) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** Runs {@code step} on {@code worker}; a step after close is dropped. */
  static void run(ScheduledExecutorService worker, Runnable step, Logger log) {
    try {
      worker.execute(step);
    } catch (RejectedExecutionException e) {
      log.debug("sync closed; ignoring a late event");
    }
  }
}
