package org.lbctl.core.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A fingerprint of a replicated configuration: equal configurations, equal hashes. */
public final class ConfigHash {
  private static final ObjectMapper CANONICAL =
      new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private ConfigHash() {}

  /**
   * A fingerprint of what the stick tables' entries refer to: each virtual service's real servers
   * by label, with their addresses and ports. Weights and other settings do not change it.
   */
  public static String realServers(ReplicatedConfig config) {
    StringBuilder lines = new StringBuilder();
    config.virtualServices().stream()
        .sorted(java.util.Comparator.comparing(VirtualService::label))
        .forEach(
            v ->
                v.realServers().stream()
                    .sorted(java.util.Comparator.comparing(RealServer::label))
                    .forEach(
                        r ->
                            lines
                                .append(v.label())
                                .append('\t')
                                .append(r.label())
                                .append('\t')
                                .append(r.address())
                                .append('\t')
                                .append(r.port())
                                .append('\n')));
    return sha256(lines.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JDK", e);
    }
  }

  public static String of(ReplicatedConfig config) {
    try {
      return sha256(
          CANONICAL
              .writeValueAsString(ConfigWriter.toTree(config))
              .getBytes(StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot hash configuration", e);
    }
  }
}
