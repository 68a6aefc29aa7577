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
