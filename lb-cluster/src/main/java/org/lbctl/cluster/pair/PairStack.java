package org.lbctl.cluster.pair;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UDP;
import org.jgroups.stack.Protocol;
import org.lbctl.core.config.PairSettings;
import org.lbctl.persistence.FailoverProtocols;
import org.lbctl.persistence.PairCipher;

/**
 * The JGroups stack of the pair channel: UDP to the peer (no multicast), discovery by the two
 * configured addresses, then the {@link FailoverProtocols} it shares with the stick table.
 */
public final class PairStack {
  private PairStack() {}

  public static List<Protocol> protocols(PairSettings pair, SecretKey key) throws Exception {
    return protocols(pair.bind(), List.of(pair.peer()), key);
  }

  /** Discovery by every address in {@code peers}; a suspicion is verified for 100 ms. */
  public static List<Protocol> protocols(
      InetSocketAddress bind, List<InetSocketAddress> peers, SecretKey key) throws Exception {
    return protocols(bind, peers, key, 100);
  }

  /**
   * For a cluster: discovery by every member's configured address. A cluster verifies a suspicion
   * for less time: a member whose socket closed (FD_SOCK2) lost its process, and one suspected by
   * FD_ALL3 has been silent for 2 s already; each of these milliseconds is a takeover's.
   */
  public static List<Protocol> protocols(
      InetSocketAddress bind, List<InetSocketAddress> peers, SecretKey key, long verifyMillis)
      throws Exception {
    List<Protocol> stack = new ArrayList<>();
    // UDP to the peer's address only: no multicast is needed on a hospital network.
    stack.add(
        new UDP()
            .setMulticasting(false)
            .setBindAddress(bind.getAddress())
            .setBindPort(bind.getPort())
            .setPortRange(0));
    // Every datagram sealed with the pair secret, heartbeats and discovery included.
    stack.add(new PairCipher(key));
    // Discovery by the configured addresses.
    List<InetSocketAddress> hosts = new ArrayList<>(List.of(bind));
    peers.stream().filter(p -> !p.equals(bind)).forEach(hosts::add);
    stack.add(new TCPPING().setInitialHosts(hosts).setPortRange(0));
    stack.addAll(FailoverProtocols.above(bind.getAddress(), 1_000_000, verifyMillis));
    return stack;
  }
}
