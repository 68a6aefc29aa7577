package org.lbctl.core.api;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * What {@code lbctl cluster join} asks of the node that joins.
 *
 * @param peer the member that invited it, where it listens for the join (TCP)
 * @param token the one-time token that member printed
 * @param name the name this node joins under; empty = its host name
 * @param bind this node's cluster address; empty = the address that routes to the peer
 * @param device the interface for the floating IPs; empty = the one holding the bind address
 * @param force join even if this node runs virtual services of its own (they are replaced)
 */
public record JoinOrder(
    InetSocketAddress peer,
    String token,
    Optional<String> name,
    Optional<InetSocketAddress> bind,
    Optional<String> device,
    boolean force) {
  public JoinOrder {
    requireNonNull(peer, "peer");
    requireNonNull(token, "token");
    requireNonNull(name, "name");
    requireNonNull(bind, "bind");
    requireNonNull(device, "device");
  }
}
