package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * Where connections go when no real server can take them.
 *
 * @param port 0 means "the port the client connected to"
 * @param masquerade layer 4 NAT: the fallback sees this node as the client (the appliance's "MASQ
 *     Fallback"), so it answers through the node without routing through it; layer 7 always does
 */
public record Fallback(String address, int port, boolean masquerade) {
  public Fallback {
    requireNonNull(address, "address");
  }

  public Fallback(String address, int port) {
    this(address, port, false);
  }

  public int targetPort(int vipPort) {
    return port == 0 ? vipPort : port;
  }
}
