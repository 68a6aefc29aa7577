package org.lbctl.core.status;

import java.util.List;

/**
 * The pair as this node sees it.
 *
 * @param peerState what the peer last announced ({@code unknown} before it spoke, {@code absent}
 *     when it is not in the view)
 * @param since when this node entered its state
 * @param reason why it did, for the operator
 */
public record PairStatus(
    String role,
    String state,
    boolean peerPresent,
    String peerState,
    List<String> members,
    String since,
    String reason,
    List<String> floatingIps) {}
