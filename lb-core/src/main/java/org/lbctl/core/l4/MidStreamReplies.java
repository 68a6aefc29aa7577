package org.lbctl.core.l4;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.VirtualService;

/**
 * After a failover, conntrack here takes up a NAT flow that began on the peer at the first packet
 * it sees. When that packet is the client's, the DNAT rules translate it. When it is the real
 * server's (data or an answer the dead node never delivered, sent again once the gateway moved),
 * conntrack would take the server as the flow's origin, untranslated: the client would get packets
 * from the server's own address, reset the connection, and every later packet of it would miss the
 * DNAT as well. These rules give such a packet the VIP's address and port as its source, so that
 * the entry is the same translation seen from the other end.
 *
 * <p>Only where the server's address and port name one VIP and one VIP port: with several sent to
 * one server port (within a VIP, or two NAT VIPs sharing a server), which the client used cannot be
 * told from the server's side, and such a flow is reset at a failover as before.
 */
final class MidStreamReplies {
  private MidStreamReplies() {}

  /** Server endpoints ({@code address:port}) that more than one NAT VIP sends to. */
  static java.util.Set<String> shared(List<org.lbctl.core.service.VirtualServiceRuntime> services) {
    Map<String, java.util.Set<String>> vipsOf = new java.util.HashMap<>();
    for (var r : services) {
      if (r.config().mode() != org.lbctl.core.config.ForwardingMode.NAT) {
        continue;
      }
      for (Backend s : r.backends()) {
        for (int port : r.config().ports()) {
          vipsOf
              .computeIfAbsent(
                  s.address().getHostAddress() + ":" + s.config().targetPort(port),
                  k -> new java.util.HashSet<>())
              .add(r.config().label());
        }
      }
    }
    java.util.Set<String> shared = new java.util.HashSet<>();
    vipsOf.forEach(
        (endpoint, vips) -> {
          if (vips.size() > 1) {
            shared.add(endpoint);
          }
        });
    return shared;
  }

  /** Rules for the NAT postrouting chain of {@code vip}, one per server and port. */
  static List<String> rules(
      String ip, VirtualService vip, List<Backend> backends, java.util.Set<String> shared) {
    List<String> rules = new ArrayList<>();
    for (Backend s : backends) {
      // Server port to the VIP ports that reach it.
      Map<Integer, TreeSet<Integer>> reached = new TreeMap<>();
      for (int port : vip.ports()) {
        reached.computeIfAbsent(s.config().targetPort(port), p -> new TreeSet<>()).add(port);
      }
      String from =
          "meta l4proto tcp " + ip + " saddr " + s.address().getHostAddress() + " tcp sport ";
      List<Integer> samePort = new ArrayList<>();
      reached.forEach(
          (serverPort, vipPorts) -> {
            if (vipPorts.size() != 1
                || shared.contains(s.address().getHostAddress() + ":" + serverPort)) {
              return;
            }
            int vipPort = vipPorts.first();
            if (vipPort == serverPort) {
              samePort.add(vipPort);
            } else {
              rules.add(
                  from
                      + serverPort
                      + " tcp flags & syn == 0 snat "
                      + ip
                      + " to "
                      + endpoint(ip, vip.address(), vipPort));
            }
          });
      if (!samePort.isEmpty()) {
        rules.add(
            from
                + set(samePort)
                + " tcp flags & syn == 0 snat "
                + ip
                + " to "
                + (ip.equals("ip6") ? "[" + vip.address() + "]" : vip.address()));
      }
    }
    return rules;
  }

  private static String set(List<Integer> ports) {
    return ports.size() == 1
        ? Integer.toString(ports.get(0))
        : "{ " + String.join(", ", ports.stream().map(String::valueOf).toList()) + " }";
  }

  private static String endpoint(String ip, String address, int port) {
    return ip.equals("ip6") ? "[" + address + "]:" + port : address + ":" + port;
  }
}
