package org.lbctl.cluster.placement;

/**
 * Whether a node may own VIP groups. With three or more configured members, only inside a strict
 * majority of them: the minority side of a partition gives everything up, so the two sides never
 * answer for the same group. With one or two members no majority can survive a failure: this rule
 * then always holds, and something else must tell a dead peer from a cut link. A pair does it with
 * its ping targets (see Liveness); the group controller does not, so it runs only with three
 * members or more.
 */
public final class Quorum {
  private Quorum() {}

  /**
   * @param configured the members the configuration names
   * @param live the members this node sees, itself included
   */
  public static boolean holds(int configured, int live) {
    if (configured <= 2) {
      return true;
    }
    return 2 * live > configured;
  }
}
