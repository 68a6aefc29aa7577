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
 * @param refused datagrams to the pair's port refused so far, by why
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
    List<String> warnings,
    Refused refused) {

  /**
   * Datagrams to UDP 6694 that never reached the pair.
   *
   * @param strangers from a source other than the peer (nftables guard)
   * @param forged not sealed with the pair secret, or altered (cipher)
   * @param replayed sealed, but seen before or too old (cipher's replay window)
   */
  public record Refused(long strangers, long forged, long replayed) {
    public static final Refused NONE = new Refused(0, 0, 0);
  }

  public PairStatus {
    warnings = List.copyOf(warnings);
  }

  /** The same status with the refusals counted now. */
  public PairStatus withRefused(Refused now) {
    return with(peer, now);
  }

  /** The same status with the peer's heartbeat aged to now. */
  public PairStatus withHeartbeatAge(long millis) {
    return with(
        new PeerStatus(
            peer.address(),
            peer.present(),
            peer.role(),
            peer.state(),
            millis,
            peer.configVersion(),
            peer.configHash(),
            peer.floatingIpsOwned()),
        refused);
  }

  private PairStatus with(PeerStatus p, Refused r) {
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
        warnings,
        r);
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
