package org.lbctl.core.status;

import java.util.List;

/**
 * The cluster as this node sees it.
 *
 * @param self this node's member name
 * @param quorum whether this node sees a majority of the members (outside one it holds nothing)
 * @param holding the VIP groups this node holds now
 * @param groups every group of the running configuration and the member holding it, as the members
 *     say ({@code -} when none does)
 * @param leaseRenewed whether the fence's lease is being renewed (the held addresses answer)
 * @param members every configured member, this node among them
 * @param refusedStrangers datagrams to the cluster port from non-members, dropped by the kernel
 * @param refusedForged datagrams on the cluster port the cipher refused as forged or altered
 * @param refusedReplayed datagrams it refused as replays
 */
public record ClusterStatus(
    String self,
    boolean quorum,
    List<String> holding,
    List<GroupHolder> groups,
    boolean leaseRenewed,
    List<Member> members,
    long refusedStrangers,
    long refusedForged,
    long refusedReplayed) {
  public ClusterStatus {
    holding = List.copyOf(holding);
    groups = List.copyOf(groups);
    members = List.copyOf(members);
  }

  /** A group and the member that holds it. */
  public record GroupHolder(String group, String holder) {}

  /**
   * A member as this node sees it.
   *
   * @param heardAgoMillis since its last word; -1 if never heard
   * @param sameLayout whether it runs this node's group layout (else nothing moves)
   */
  public record Member(
      String name,
      String address,
      boolean inView,
      long heardAgoMillis,
      List<String> groups,
      long configVersion,
      String configHash,
      boolean sameLayout) {
    public Member {
      groups = List.copyOf(groups);
    }
  }
}
