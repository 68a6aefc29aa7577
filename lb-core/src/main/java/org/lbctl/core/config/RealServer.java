package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A backend of a virtual service.
 *
 * @param port 0 means "the port the client connected to", so a multi-port VIP maps each port to
 *     itself
 * @param weight 0..100; 0 takes no new connections
 * @param minConnections once a server reached {@code maxConnections}, it takes new ones again only
 *     when its count has fallen below this (IPVS's lower threshold); 0 = as soon as one is free
 * @param maxConnections 0 = unlimited
 * @param reencrypt HTTP mode: speak TLS to this server; empty for plain
 */
public record RealServer(
    String label,
    String address,
    int port,
    int weight,
    int minConnections,
    int maxConnections,
    java.util.Optional<Reencrypt> reencrypt) {
  public static final int DEFAULT_WEIGHT = 100;

  public RealServer {
    requireNonNull(label, "label");
    requireNonNull(address, "address");
    requireNonNull(reencrypt, "reencrypt");
  }

  /** A server reached in plain. */
  public RealServer(
      String label, String address, int port, int weight, int minConnections, int maxConnections) {
    this(label, address, port, weight, minConnections, maxConnections, java.util.Optional.empty());
  }

  /** The port to connect to for a client that reached the VIP on {@code vipPort}. */
  public int targetPort(int vipPort) {
    return port == 0 ? vipPort : port;
  }
}
