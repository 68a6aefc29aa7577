package org.lbctl.core.status;

import java.util.List;

/**
 * The pair as this node sees it.
 *
 * @param peerState what the peer last announced ({@code unknown} before it spoke, {@code absent}
 *     when it is not in the view)
 * @param since when this node entered its state
 * @param reason why it did, for the operator * @param configHash the replicated configuration this
 *     node runs
 * @param peerConfigHash the one the peer last reported; empty until it has
 * @param configDrift the two differ: the nodes would not serve the same virtual services
 */
public record PairStatus(
    String role,
    String state,
    boolean peerPresent,
    String peerState,
    List<String> members,
    String since,
    String reason,
    List<String> floatingIps,
    String configHash,
    String peerConfigHash,
    boolean configDrift) {}
