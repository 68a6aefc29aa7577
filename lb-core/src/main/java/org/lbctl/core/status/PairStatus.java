package org.lbctl.core.status;

import java.util.List;

/**
 * The pair as this node sees it.
 *
 * @param since when this node entered its state
 * @param reason why it did, for the operator
 * @param floatingIps the floating IPs of the running configuration
 * @param floatingIpsOwned the ones this node holds now (all of them while active)
 * @param configVersion the version of the replicated configuration this node runs
 * @param configSync where the two versions stand: {@code in sync}, {@code sending v8 to the peer},
 *     {@code taking v8 from the peer}, ...
 * @param edits {@code accepted} on the node where configuration edits are made, otherwise why not
 *     and where to make them
 * @param promoted a secondary promoted to accept edits while the primary is down
 * @param configDrift the two nodes run different configurations
 * @param term the highest activation term this node has seen (it grows with every takeover)
 * @param fence whether the kernel lets this node answer for its floating IPs, and why
 * @param warnings what makes this pair less safe than it could be (no ping targets, no fence)
 */
public record PairStatus(
    String role,
    String state,
    String since,
    String reason,
    List<String> members,
    List<String> floatingIps,
    List<String> floatingIpsOwned,
    long configVersion,
    String configHash,
    String configSync,
    String edits,
    boolean promoted,
    PeerStatus peer,
    boolean configDrift,
    long term,
    String fence,
    List<String> warnings) {

  public PairStatus {
    warnings = List.copyOf(warnings);
  }

  /** The same status with the peer's heartbeat aged to now. */
  public PairStatus withHeartbeatAge(long millis) {
    PeerStatus p =
        new PeerStatus(
            peer.address(),
            peer.present(),
            peer.role(),
            peer.state(),
            millis,
            peer.configVersion(),
            peer.configHash(),
            peer.floatingIpsOwned());
    return new PairStatus(
        role,
        state,
        since,
        reason,
        members,
        floatingIps,
        floatingIpsOwned,
        configVersion,
        configHash,
        configSync,
        edits,
        promoted,
        p,
        configDrift,
        term,
        fence,
        warnings);
  }

  /**
   * The other node, from what it last announced.
   *
   * @param state {@code unknown} before it spoke, {@code absent} when it is not in the pair
   * @param heartbeatAgeMillis since its last announcement (it sends one every 0.5 s); -1 before the
   *     first
   * @param configVersion -1 until it has reported one
   */
  public record PeerStatus(
      String address,
      boolean present,
      String role,
      String state,
      long heartbeatAgeMillis,
      long configVersion,
      String configHash,
      List<String> floatingIpsOwned) {}
}
