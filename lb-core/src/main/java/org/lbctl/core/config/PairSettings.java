package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How this node finds and trusts its peer. Node-local: each node names itself and the other.
 *
 * @param role {@code primary} or {@code secondary}; the primary is active when both are up
 * @param bind this node's address and UDP port for the pair channel (default port 6694)
 * @param peer the other node's address and port
 * @param secretFile the pair secret, shared by both nodes; authenticates and encrypts the channel
 * @param pingTargets addresses (such as the gateway) of which at least one must answer before this
 *     node takes over; empty = take over without asking
 * @param failback whether a recovered primary takes the active role back (default: stay)
 * @param device the interface that carries the floating IPs (YAML {@code interface})
 * @param fencing the kernel lease that silences this node when it cannot prove it is alive
 */
public record PairSettings(
    PairRole role,
    InetSocketAddress bind,
    InetSocketAddress peer,
    Path secretFile,
    List<String> pingTargets,
    boolean failback,
    String device,
    Fencing fencing) {
  public static final int DEFAULT_PORT = 6694;
  public static final String DEFAULT_DEVICE = "eth0";

  public PairSettings {
    requireNonNull(role, "role");
    requireNonNull(bind, "bind");
    requireNonNull(peer, "peer");
    requireNonNull(secretFile, "secretFile");
    pingTargets = List.copyOf(pingTargets);
    requireNonNull(device, "device");
    requireNonNull(fencing, "fencing");
  }

  /** Fenced with the default lease. */
  public PairSettings(
      PairRole role,
      InetSocketAddress bind,
      InetSocketAddress peer,
      Path secretFile,
      List<String> pingTargets,
      boolean failback,
      String device) {
    this(role, bind, peer, secretFile, pingTargets, failback, device, Fencing.DEFAULT);
  }

  /** What makes this valid pair less safe than it could be, for start-up, status and checks. */
  public List<String> warnings() {
    List<String> w = new java.util.ArrayList<>();
    if (pingTargets.isEmpty()) {
      w.add(
          "pair.pingTargets is empty: the node cannot tell a dead peer from a cut link, so a cut"
              + " leaves both nodes answering on their sides; name the gateway");
    }
    if (!fencing.enabled()) {
      w.add("pair.fencing is off: a frozen node keeps answering for its floating IPs");
    }
    return w;
  }

  public PairSettings withFencing(Fencing f) {
    return new PairSettings(role, bind, peer, secretFile, pingTargets, failback, device, f);
  }
}
