package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * Where connections go when no real server can take them.
 *
 * @param port 0 means "the port the client connected to"
 */
public record Fallback(String address, int port) {
  public Fallback {
    requireNonNull(address, "address");
  }

  public int targetPort(int vipPort) {
    return port == 0 ? vipPort : port;
  }
}
