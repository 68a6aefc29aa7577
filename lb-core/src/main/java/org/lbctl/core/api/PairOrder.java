package org.lbctl.core.api;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * What {@code lbctl pair --peer} asks of the node that becomes the primary.
 *
 * @param peer the node that becomes the secondary, where it listens for pairing
 * @param token the one-time token that node printed
 * @param bind this node's pair address; empty = the address that routes to the peer
 * @param pingTargets addresses of which one must answer before a node takes over (both nodes)
 * @param failback whether a recovered primary takes the active role back
 * @param force pair even if the peer runs virtual services of its own (they are replaced)
 * @param device the interface for the floating IPs; empty = the one holding the bind address
 */
public record PairOrder(
    InetSocketAddress peer,
    String token,
    Optional<InetSocketAddress> bind,
    List<String> pingTargets,
    boolean failback,
    boolean force,
    Optional<String> device) {
  public PairOrder {
    requireNonNull(peer, "peer");
    requireNonNull(token, "token");
    requireNonNull(bind, "bind");
    pingTargets = List.copyOf(pingTargets);
    requireNonNull(device, "device");
  }
}
