package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Optional;

/** What this host's network says about a pair address. */
public final class LocalAddresses {
  private LocalAddresses() {}

  /** This node's address for a pair or a cluster, and the interface its floating IPs go on. */
  public record Endpoint(InetSocketAddress bind, String device) {}

  /**
   * The address this node talks to {@code peer} from ({@code bind}, else the routing table's choice
   * at the pair port) and its interface ({@code device}, else the address's), checked free (UDP).
   *
   * @throws IOException naming what is wrong: no route, not an address of this host, port taken
   */
  public static Endpoint toward(
      InetSocketAddress peer, Optional<InetSocketAddress> bind, Optional<String> device)
      throws IOException {
    InetSocketAddress at =
        bind.isPresent()
            ? bind.get()
            : new InetSocketAddress(routeTo(peer), org.lbctl.core.config.PairSettings.DEFAULT_PORT);
    String dev =
        device
            .or(() -> interfaceOf(at.getAddress()))
            .orElseThrow(
                () ->
                    new IOException(
                        at.getAddress().getHostAddress() + " is not an address of this node"));
    checkUdpFree(at);
    return new Endpoint(at, dev);
  }

  /** The address this host sends from to reach {@code peer}: the routing table's choice. */
  public static InetAddress routeTo(InetSocketAddress peer) throws IOException {
    try (DatagramSocket s = new DatagramSocket()) {
      s.connect(peer.getAddress(), peer.getPort());
      InetAddress local = s.getLocalAddress();
      if (local == null || local.isAnyLocalAddress()) {
        throw new IOException("no route to " + peer.getAddress().getHostAddress());
      }
      return local;
    }
  }

  /** The interface that holds {@code address}; empty when no interface of this host does. */
  public static Optional<String> interfaceOf(InetAddress address) {
    try {
      return Optional.ofNullable(NetworkInterface.getByInetAddress(address))
          .map(NetworkInterface::getName);
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  /**
   * Checks that the pair channel could bind {@code bind} (UDP) now.
   *
   * @throws IOException naming the address and why not
   */
  public static void checkUdpFree(InetSocketAddress bind) throws IOException {
    try (DatagramSocket s = new DatagramSocket(bind)) {
      s.getLocalPort();
    } catch (SocketException e) {
      throw new IOException(
          "cannot use "
              + bind.getAddress().getHostAddress()
              + ":"
              + bind.getPort()
              + " (UDP) for the pair channel: "
              + e.getMessage(),
          e);
    }
  }
}
