package org.lbctl.cluster.placement;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which live node owns each VIP group. Every node computes the same answer from the same view, with
 * no message exchanged: a group goes to the first live node of its preference order, or, without
 * one, to the live node with the highest rendezvous score for the group's name. A node that leaves
 * moves only its own groups, and each of them to the node that would have been next.
 *
 * <p>Without failback a group stays where it is while its owner lives, even when a node it prefers
 * returns: moving it again would break its connections a second time for no gain.
 */
public final class GroupPlacement {
  /** One group's placement rule: a name, a preference order of node names, and failback. */
  public record Rule(String group, List<String> preference, boolean failback) {
    public Rule {
      preference = List.copyOf(preference);
    }
  }

  private GroupPlacement() {}

  /**
   * The owner of {@code rule}'s group among {@code live} (node names), given its {@code current}
   * owner; empty when no node lives.
   */
  public static Optional<String> owner(
      Rule rule, Collection<String> live, Optional<String> current) {
    if (live.isEmpty()) {
      return Optional.empty();
    }
    if (!rule.failback() && current.isPresent() && live.contains(current.get())) {
      return current;
    }
    for (String preferred : rule.preference()) {
      if (live.contains(preferred)) {
        return Optional.of(preferred);
      }
    }
    String best = null;
    long bestScore = 0;
    for (String node : live) {
      long score = score(rule.group(), node);
      // Ties (astronomically rare) go to the smaller name, so every node agrees.
      if (best == null
          || Long.compareUnsigned(score, bestScore) > 0
          || (score == bestScore && node.compareTo(best) < 0)) {
        best = node;
        bestScore = score;
      }
    }
    return Optional.of(best);
  }

  /** Every group's owner, in the order of {@code rules}; a group with no live node is left out. */
  public static Map<String, String> owners(
      List<Rule> rules, Collection<String> live, Map<String, String> current) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Rule r : rules) {
      owner(r, live, Optional.ofNullable(current.get(r.group())))
          .ifPresent(o -> out.put(r.group(), o));
    }
    return out;
  }

  /** The first 8 bytes of SHA-256 over the group and node names: the same on every JVM. */
  static long score(String group, String node) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(group.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(node.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(sha.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
