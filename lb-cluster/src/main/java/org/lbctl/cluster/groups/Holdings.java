package org.lbctl.cluster.groups;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VIP groups this node holds, taken and released through its {@link GroupHost}, each step
 * logged. A release that fails leaves the group held: the node keeps saying so, and the others must
 * not take it. Used by the group controller's one thread only.
 */
final class Holdings {
  private static final Logger log = LoggerFactory.getLogger(Holdings.class);

  private final String self;
  private final GroupHost host;
  private final Set<String> mine = new TreeSet<>();
  private final Set<String> contested = new TreeSet<>();
  private HoldingsChange onChange = (held, group, taken, why) -> {};

  void onChange(HoldingsChange listener) {
    this.onChange = listener;
  }

  Holdings(String self, GroupHost host) {
    this.self = self;
    this.host = host;
  }

  Set<String> mine() {
    return mine;
  }

  boolean holds(String group) {
    return mine.contains(group);
  }

  boolean take(String group, List<String> live) {
    try {
      host.take(group);
    } catch (Exception e) {
      log.error("groups: {} cannot take {}: {}", self, group, e.getMessage());
      return false;
    }
    mine.add(group);
    log.warn("groups: {} took {} (members {})", self, group, live);
    onChange.changed(Set.copyOf(mine), group, true, "");
    return true;
  }

  boolean release(String group, String why) {
    try {
      host.release(group);
    } catch (Exception e) {
      log.error(
          "groups: {} cannot release {}: {}; it keeps saying it holds it and tries again",
          self,
          group,
          e.getMessage());
      return false;
    }
    mine.remove(group);
    log.warn("groups: {} released {} ({})", self, group, why);
    onChange.changed(Set.copyOf(mine), group, false, why);
    return true;
  }

  /**
   * What the others say they hold, after each decision: a held group another live member claimed
   * too (each thought the other gone) is announced again once the claim is dropped, since the other
   * member's announcements pointed the neighbours at it meanwhile.
   */
  void settleContests(Map<String, Set<String>> word) {
    for (String g : mine) {
      boolean claimed =
          word.entrySet().stream()
              .anyMatch(e -> !e.getKey().equals(self) && e.getValue().contains(g));
      if (claimed) {
        contested.add(g);
      } else if (contested.remove(g)) {
        announce(g, "another member held it too and let it go");
      }
    }
    contested.retainAll(mine);
  }

  /** Announces every held group again: its lease runs again after a lapse. */
  void announceAll(String why) {
    mine.forEach(g -> announce(g, why));
  }

  private void announce(String group, String why) {
    host.announce(group);
    log.warn("groups: {} announces {} again ({})", self, group, why);
  }

  void releaseAll(String why) {
    for (String g : List.copyOf(mine)) {
      release(g, why);
    }
  }

  /**
   * The configuration changed: a held group whose addresses changed is released, to be taken again
   * through the controller's checks; the others follow in place.
   */
  void follow() {
    for (String g : List.copyOf(mine)) {
      if (host.changed(g)) {
        release(g, "its addresses changed with the configuration");
      }
    }
    try {
      host.refresh();
    } catch (Exception e) {
      log.error("groups: {} cannot follow the new configuration: {}", self, e.getMessage());
    }
  }
}
