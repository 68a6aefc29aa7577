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
  // A full flow map (262,144 elements at ~100 bytes each in JSON) with room to spare.
  private static final int MAX_LISTING = 64 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Packets and bytes of a named counter. */
  public record Count(long packets, long bytes) {}

  /** An element of a map: its key as nft writes it, its value, and how long until it expires. */
  public record Element(String key, long value, long expiresMillis) {}

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

  /** The elements of a map whose values are numbers (marks); empty when it is not there. */
  public static List<Element> elements(String family, String table, String map) throws IOException {
    return entries(family, table, map).stream()
        .map(e -> new Element(e.key(), Long.parseLong(e.value()), e.expiresMillis()))
        .toList();
  }

  /**
   * An element of a map as nft writes it: key (parts of a concatenation joined by " . "), value.
   */
  public record Entry(String key, String value, long expiresMillis) {}

  /** The elements of any map; empty when it is not there. */
  public static List<Entry> entries(String family, String table, String map) throws IOException {
    Commands.Result r =
        Commands.runLarge(
            TIMEOUT, List.of("nft", "-j", "list", "map", family, table, map), MAX_LISTING);
    List<Entry> entries = new java.util.ArrayList<>();
    if (!r.ok()) {
      return entries;
    }
    for (JsonNode item : JSON.readTree(r.output()).path("nftables")) {
      for (JsonNode pair : item.path("map").path("elem")) {
        if (!pair.isArray() || pair.size() < 2) {
          continue;
        }
        JsonNode k = pair.get(0);
        JsonNode inner = k.path("elem");
        JsonNode val = inner.isObject() ? inner.path("val") : k;
        String key;
        if (val.has("concat")) {
          List<String> parts = new java.util.ArrayList<>();
          val.path("concat").forEach(p -> parts.add(p.asText()));
          key = String.join(" . ", parts);
        } else {
          key = val.asText();
        }
        long expires = inner.isObject() ? inner.path("expires").asLong() * 1000 : 0;
        entries.add(new Entry(key, pair.get(1).asText(), expires));
      }
    }
    return entries;
  }

  /** Empties a map. */
  public static void flushMap(String family, String table, String map) throws IOException {
    Commands.Result r = Commands.run(TIMEOUT, List.of("nft", "flush", "map", family, table, map));
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
  }

  /**
   * The named counters of every table called {@code table}, whatever its family (one nft run for
   * both of lbctl's tables); empty when there are none.
   */
  public static Map<String, Count> counters(String table) throws IOException {
    Commands.Result r = Commands.run(TIMEOUT, List.of("nft", "-j", "list", "counters"));
    Map<String, Count> counts = new HashMap<>();
    if (!r.ok()) {
      return counts;
    }
    for (JsonNode item : JSON.readTree(r.output()).path("nftables")) {
      JsonNode c = item.path("counter");
      if (c.isObject() && c.path("table").asText().equals(table)) {
        counts.put(
            c.path("name").asText(),
            new Count(c.path("packets").asLong(), c.path("bytes").asLong()));
      }
    }
    return counts;
  }
}
