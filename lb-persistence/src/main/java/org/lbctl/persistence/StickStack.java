package org.lbctl.persistence;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.stack.Protocol;

/**
 * The JGroups stack under the replicated stick table: TCP between the nodes (port 7778 by default;
 * FD_SOCK2 adds 7878-7880), then {@link PairCipher} (AES-GCM with the pair secret, replay window),
 * discovery and the pair's {@link FailoverProtocols}.
 */
public final class StickStack {
  public static final int DEFAULT_PORT = 7778;

  private StickStack() {}

  public static List<Protocol> protocols(
      InetSocketAddress bind, InetSocketAddress peer, SecretKey key) {
    return protocols(bind, List.of(peer), key);
  }

  /** For a cluster: discovery tries every member named, each at its own address and port. */
  public static List<Protocol> protocols(
      InetSocketAddress bind, List<InetSocketAddress> peers, SecretKey key) {
    TCP tcp = new TCP();
    tcp.setBindAddress(bind.getAddress());
    tcp.setBindPort(bind.getPort());
    tcp.setPortRange(0);
    // JGroups' TCP defaults to Nagle on: asynchronous replication then crawls (LAB.md §8).
    tcp.tcpNodelay(true);
    List<Protocol> stack = new ArrayList<>();
    stack.add(tcp);
    // Sealed from the first message on: discovery, membership and failure detection too.
    stack.add(new PairCipher(key));
    List<InetSocketAddress> hosts = new ArrayList<>(List.of(bind));
    peers.stream().filter(p -> !p.equals(bind)).forEach(hosts::add);
    stack.add(new TCPPING().setInitialHosts(hosts).setPortRange(0));
    stack.addAll(FailoverProtocols.above(bind.getAddress(), 4_000_000));
    return stack;
  }
}
