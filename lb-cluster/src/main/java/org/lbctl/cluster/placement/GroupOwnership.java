package org.lbctl.cluster.placement;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one node does about the VIP groups, from what it sees: the members alive, the groups each of
 * them says it holds, and the placement rule. It takes a group placed on it only once nobody alive
 * holds it (a moved group is handed over: released first, then taken), and releases a group placed
 * elsewhere. Outside a quorum it releases everything. Pure: the same inputs give the same plan.
 */
public final class GroupOwnership {
  /** The owner each group should have, and what this node does now. */
  public record Plan(Map<String, String> owners, Set<String> take, Set<String> release) {
    public Plan {
      owners = Map.copyOf(owners);
      take = Set.copyOf(take);
      release = Set.copyOf(release);
    }
  }

  private GroupOwnership() {}

  /**
   * @param self this node's name
   * @param configured the members the configuration names
   * @param seen the members this node sees, itself included; names the configuration does not have,
   *     and a name seen twice, count once or not at all, so a stranger with the secret cannot make
   *     a minority look like a majority
   * @param held the groups each live member says it holds (this node's own entry is what it holds);
   *     a member seen but no longer configured (it is leaving) still keeps what it holds from being
   *     taken, though it counts for nothing else
   * @param networkAnswers whether this node's ping targets answered lately: what lets one of two
   *     members act without its peer
   */
  public static Plan plan(
      String self,
      List<GroupPlacement.Rule> rules,
      List<String> configured,
      Collection<String> seen,
      Map<String, Set<String>> held,
      boolean networkAnswers) {
    return plan(self, rules, configured, seen, held, Map.of(), networkAnswers);
  }

  /**
   * ... where {@code yielding} names the groups each live member hands over (an operator's
   * failover): such a group is placed among the other live members, if there is one.
   */
  public static Plan plan(
      String self,
      List<GroupPlacement.Rule> rules,
      List<String> configured,
      Collection<String> seen,
      Map<String, Set<String>> held,
      Map<String, Set<String>> yielding,
      boolean networkAnswers) {
    Set<String> mine = held.getOrDefault(self, Set.of());
    Set<String> live = new LinkedHashSet<>();
    for (String n : seen) {
      if (configured.contains(n)) {
        live.add(n);
      }
    }
    if (!Quorum.holds(configured.size(), live.size(), networkAnswers)) {
      return new Plan(Map.of(), Set.of(), mine);
    }
    // Who holds each group now, as far as the live members say (the first one named, if two do).
    Map<String, String> holder = new LinkedHashMap<>();
    for (String node : live) {
      for (String group : held.getOrDefault(node, Set.of())) {
        holder.putIfAbsent(group, node);
      }
    }
    Map<String, String> owners = new LinkedHashMap<>();
    for (GroupPlacement.Rule r : rules) {
      Set<String> candidates = new LinkedHashSet<>(live);
      candidates.removeIf(n -> yielding.getOrDefault(n, Set.of()).contains(r.group()));
      GroupPlacement.owner(
              r,
              candidates.isEmpty() ? live : candidates,
              java.util.Optional.ofNullable(holder.get(r.group())))
          .ifPresent(o -> owners.put(r.group(), o));
    }
    Set<String> take = new LinkedHashSet<>();
    Set<String> release = new LinkedHashSet<>();
    for (GroupPlacement.Rule r : rules) {
      String g = r.group();
      String owner = owners.get(g);
      boolean heldByOther =
          seen.stream()
              .anyMatch(n -> !n.equals(self) && held.getOrDefault(n, Set.of()).contains(g));
      if (self.equals(owner) && !mine.contains(g) && !heldByOther) {
        take.add(g);
      } else if (!self.equals(owner) && mine.contains(g)) {
        release.add(g);
      }
    }
    return new Plan(owners, take, release);
  }
}
