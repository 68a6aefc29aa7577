package org.lbctl.cluster.groups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a member says to the others, several times a second: the groups it holds and how long its
 * fence lease runs. {@code {"type":"held","groups":["imaging"],"leaseMs":1000}}.
 */
record GroupWord(Set<String> groups, long leaseMillis) {
  static final String HELD_TYPE = "held";
  private static final ObjectMapper JSON = new ObjectMapper();
  // A lease longer than this is a forged or broken word; a member never runs one (10 s at most).
  private static final long MAX_LEASE_MILLIS = 60_000;

  GroupWord {
    groups = Set.copyOf(groups);
  }

  byte[] encode() {
    ObjectNode m = JSON.createObjectNode().put("type", HELD_TYPE);
    ArrayNode list = m.putArray("groups");
    groups.stream().sorted().forEach(list::add);
    m.put("leaseMs", leaseMillis);
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] of(Collection<String> groups, long leaseMillis) {
    return new GroupWord(new LinkedHashSet<>(groups), leaseMillis).encode();
  }

  /**
   * The word in {@code bytes}; empty for another kind of message.
   *
   * @throws IOException naming what is wrong with a malformed word: it must be ignored, not read as
   *     "holds nothing", which would let the others take what the member may hold
   */
  static Optional<GroupWord> decode(byte[] bytes) throws IOException {
    JsonNode m = JSON.readTree(bytes);
    if (m == null || !HELD_TYPE.equals(m.path("type").asText())) {
      return Optional.empty();
    }
    JsonNode list = m.get("groups");
    if (list == null || !list.isArray()) {
      throw new IOException("a 'held' message without a list of groups");
    }
    Set<String> groups = new LinkedHashSet<>();
    for (JsonNode g : list) {
      if (!g.isTextual()) {
        throw new IOException("a 'held' message with a group that is not a name: " + g);
      }
      groups.add(g.textValue());
    }
    // Required: without it the others could not know how long this member's addresses answer.
    JsonNode lease = m.get("leaseMs");
    if (lease == null
        || !lease.isIntegralNumber()
        || lease.asLong() < 0
        || lease.asLong() > MAX_LEASE_MILLIS) {
      throw new IOException("a 'held' message with a lease of " + lease + " ms");
    }
    long leaseMillis = lease.asLong();
    return Optional.of(new GroupWord(groups, leaseMillis));
  }
}
