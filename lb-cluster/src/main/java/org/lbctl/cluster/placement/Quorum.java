package org.lbctl.cluster.placement;

/**
 * Whether a node may own VIP groups. With three or more configured members, only inside a strict
 * majority of them: the minority side of a partition gives everything up, so the two sides never
 * answer for the same group. With one or two members no majority can survive a failure, and the
 * pair's rule stands instead: its ping targets tell a dead peer from a cut link (see Liveness).
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
