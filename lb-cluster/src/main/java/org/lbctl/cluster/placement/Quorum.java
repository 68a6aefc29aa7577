package org.lbctl.cluster.placement;

import java.util.List;

/**
 * Whether a node may own VIP groups. With three or more configured members, only inside a strict
 * majority of them: the minority side of a partition gives everything up, so the two sides never
 * answer for the same group. Two members (a pair) cannot outvote a cut link: one that has lost its
 * peer may own groups only while the network answers it (its ping targets), so a node cut off from
 * everything gives up. Two nodes that each still reach the network but not each other both answer,
 * each on its side; that is the price of two.
 */
public final class Quorum {
  private Quorum() {}

  /**
   * Refuses members that cannot run VIP groups: one, or two without a witness (their ping targets),
   * or a list without this node.
   *
   * @throws IllegalArgumentException naming the members
   */
  public static void requireWorkable(String self, List<String> configured, boolean witnessed) {
    if (configured.size() < 2 || configured.size() == 2 && !witnessed) {
      throw new IllegalArgumentException(
          "VIP groups need a cluster of three members or more, or two with ping targets (got "
              + configured
              + "): two cannot outvote a cut link");
    }
    if (!configured.contains(self)) {
      throw new IllegalArgumentException(
          "this node ('" + self + "') is not among the members " + configured);
    }
  }

  /**
   * Why a member refuses configuration edits now: outside a quorum an edit could win over the
   * majority's (the newest version wins when the sides meet again).
   */
  public static java.util.Optional<String> editRefusal(boolean inQuorum, List<String> members) {
    if (inQuorum) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "this member sees fewer than a majority of the members "
            + members
            + ": edit the configuration on a member in a quorum; its version reaches this one when"
            + " they meet again");
  }

  /**
   * @param configured the members the configuration names
   * @param live the members this node sees, itself included
   * @param networkAnswers whether this node's ping targets answered lately (two members only)
   */
  public static boolean holds(int configured, int live, boolean networkAnswers) {
    if (configured <= 2) {
      return live >= configured || networkAnswers;
    }
    return 2 * live > configured;
  }
}
