package org.lbctl.core.l4;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lbctl.core.os.Commands;

/** lbctl's own nftables tables: changed with {@code nft -f}, counters read back, removed. */
public final class NftTable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Packets and bytes of a named counter. */
  public record Count(long packets, long bytes) {}

  private NftTable() {}

  /** Applies a document; nft runs it as one transaction, so a refused one changes nothing. */
  public static void apply(String document) throws IOException {
    Commands.Result r = Commands.run(TIMEOUT, List.of("nft", "-f", "-"), document);
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
  }

  /** Removes a table; one that is not there is not an error. */
  public static void remove(String family, String table) throws IOException {
    Commands.run(TIMEOUT, List.of("nft", "delete", "table", family, table));
  }

  /** A table's named counters; empty when it is not there. */
  public static Map<String, Count> counters(String family, String table) throws IOException {
    Commands.Result r =
        Commands.run(TIMEOUT, List.of("nft", "-j", "list", "counters", "table", family, table));
    Map<String, Count> counts = new HashMap<>();
    if (!r.ok()) {
      return counts;
    }
    for (JsonNode item : JSON.readTree(r.output()).path("nftables")) {
      JsonNode c = item.path("counter");
      if (c.isObject()) {
        counts.put(
            c.path("name").asText(),
            new Count(c.path("packets").asLong(), c.path("bytes").asLong()));
      }
    }
    return counts;
  }
}
