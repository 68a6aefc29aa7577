package org.lbctl.cluster.groups;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.lbctl.cluster.placement.GroupPlacement;

/**
 * The groups an operator's failover hands from this node to the others. While it lasts, every
 * member places such a group among the others (this node says so in its word). It ends once another
 * member holds the group and the group does not fail back, or once this node holds it again because
 * nobody else was left; a group that fails back stays handed over while another member holds it,
 * rather than coming straight back. Used by the group controller's one thread only.
 */
final class HandOvers {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HandOvers.class);
  private final Set<String> groups = new TreeSet<>();

  /**
   * Hands over what this node holds.
   *
   * @return the groups handed over
   * @throws IllegalStateException when this node holds nothing, or no other member is in the view
   */
  Set<String> start(String self, Set<String> held, List<String> live, List<String> configured) {
    Set<String> mine = Set.copyOf(held);
    if (mine.isEmpty()) {
      throw new IllegalStateException("this node holds no group");
    }
    if (live.stream().noneMatch(m -> !m.equals(self) && configured.contains(m))) {
      throw new IllegalStateException("no other member is in the view to hand over to");
    }
    groups.addAll(mine);
    log.warn("groups: {} hands {} to the others (failover by the operator)", self, mine);
    return mine;
  }

  Set<String> groups() {
    return Set.copyOf(groups);
  }

  /**
   * @param mine what this node holds now
   * @param word what each live member says it holds
   */
  void settle(
      String self,
      Set<String> mine,
      Map<String, Set<String>> word,
      List<GroupPlacement.Rule> rules) {
    if (groups.isEmpty()) {
      return;
    }
    groups.removeIf(
        g -> {
          var rule = rules.stream().filter(r -> r.group().equals(g)).findFirst();
          if (rule.isEmpty() || mine.contains(g)) {
            return true;
          }
          boolean elsewhere =
              word.entrySet().stream()
                  .anyMatch(e -> !e.getKey().equals(self) && e.getValue().contains(g));
          return elsewhere && !rule.get().failback();
        });
  }
}
