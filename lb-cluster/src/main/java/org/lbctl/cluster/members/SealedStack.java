package org.lbctl.cluster.members;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UDP;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.stack.Protocol;
import org.lbctl.persistence.FailoverProtocols;
import org.lbctl.persistence.PairCipher;

/**
 * The JGroups stack of the members' channel: UDP to the members (no multicast), every datagram
 * sealed, discovery by the configured addresses, then the {@link FailoverProtocols} it shares with
 * the stick table.
 */
public final class SealedStack {
  private SealedStack() {}

  /** Discovery by every address in {@code peers}; a suspicion is verified for 100 ms. */
  public static List<Protocol> protocols(
      InetSocketAddress bind, List<InetSocketAddress> peers, SecretKey key) throws Exception {
    return protocols(bind, peers, key, 100);
  }

  /**
   * Discovery by every member's configured address, a suspicion verified for {@code verifyMillis}:
   * a member whose socket closed (FD_SOCK2) lost its process, and one suspected by FD_ALL3 has been
   * silent for 2 s already; each of these milliseconds is a takeover's.
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
    // Every datagram sealed with the secret, failure detection and discovery included.
    stack.add(new PairCipher(key));
    // Discovery by the configured addresses.
    List<InetSocketAddress> hosts = new ArrayList<>(List.of(bind));
    peers.stream().filter(p -> !p.equals(bind)).forEach(hosts::add);
    stack.add(new TCPPING().setInitialHosts(hosts).setPortRange(0));
    stack.addAll(FailoverProtocols.above(bind.getAddress(), 1_000_000, verifyMillis));
    // Suspicions as they are raised, below their verification (SuspectTap).
    int verify =
        stack.indexOf(
            stack.stream().filter(VERIFY_SUSPECT2.class::isInstance).findFirst().orElseThrow());
    stack.add(verify, new SuspectTap());
    return stack;
  }
}
