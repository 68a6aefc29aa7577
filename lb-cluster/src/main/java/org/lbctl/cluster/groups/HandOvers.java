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
  private final Set<String> groups = new TreeSet<>();

  void start(Set<String> handed) {
    groups.addAll(handed);
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
