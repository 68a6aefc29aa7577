package org.lbctl.core.l4;

import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.Fallback;
import org.lbctl.core.config.ForwardingMode;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.PersistenceMode;
import org.lbctl.core.config.SchedulerKind;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.service.VirtualServiceRuntime;

/**
 * The nftables tables {@value #TABLE} (families inet and netdev) that carry the layer 4 NAT, SNAT
 * and DR virtual services, rendered from the running VIPs and their real servers' current state.
 * Nothing outside these two tables is ever touched.
 *
 * <p>New flows are spread by a hash (client address and port, or the client address alone with
 * source-IP persistence) with the VIP's seed into {@link SlotTable#SLOTS} slots, each slot a real
 * server that takes new flows. NAT (inet, prerouting DNAT): conntrack keeps established flows where
 * they are; SNAT is NAT with the source masqueraded as this node on the way to the server. DR
 * (netdev ingress of the interface towards the real servers, which hold the VIP on loopback; the
 * packet is forwarded unchanged but for its MAC addresses): there is no conntrack, so each new
 * flow's server is written to a flow map at its SYN and every later packet follows the map, which
 * keeps a drained server's open flows on it; a packet of a flow the map does not know (after a
 * failover) is hashed over the same slots. With no server the fallback takes new flows; with no
 * fallback either there is no rule and the node's own stack refuses the connection.
 *
 * <p>Objects are named after the VIP's and server's labels, so a new render is applied in place:
 * chains are flushed and refilled, flow maps and counters survive, what is no longer rendered is
 * deleted, all in one nft transaction.
 */
public final class L4Ruleset {
  /** lbctl's tables (one per family); nothing else is ever touched. */
  public static final String TABLE = "lbctl_l4";

  /**
   * A flow is remembered this long after its last packet: beyond TCP's usual 2 h keepalive, so an
   * idle connection that keeps itself alive keeps its entry.
   */
  static final String FLOW_TIMEOUT = "3h";

  /** At most this many DR flows remembered per VIP; beyond, new flows follow the hash alone. */
  static final int FLOW_MAP_SIZE = 262_144;

  /**
   * A flow the client ended (FIN or RST), or one that has not completed its handshake, is
   * remembered this long, for its last (first) packets; a new connection from the same port
   * replaces it at its SYN.
   */
  static final String CLOSING_TIMEOUT = "60s";

  /** What a counter counts. In: client to server; out: server to client. */
  public enum Measure {
    BYTES_IN,
    BYTES_OUT,
    NEW_FLOWS
  }

  /** A VIP's (server null) or a real server's measure. */
  public record CounterKey(String vip, String server, Measure measure) {}

  /**
   * A source-IP persistence map in the kernel: client address to a server's mark, with the VIP's
   * timeout. Only the servers in {@code persistent} (online or draining, healthy) have a rule that
   * follows their mark; the node deletes the entries of the others, so those clients are balanced
   * anew and stay where they land.
   *
   * @param family inet or netdev
   * @param marks every server's mark, to its label
   * @param persistent the marks whose servers take persistent clients now
   */
  public record StickyMap(
      String family,
      String name,
      Map<Long, String> marks,
      java.util.Set<Long> persistent,
      long timeoutMillis) {}

  /**
   * A VIP's flow map: each open TCP flow (client port and address) to its server, so that a node
   * taking over sends the flows it never saw to the servers they were on (DR: the map forwards
   * every packet; NAT: conntrack does, the map serves a failover's mid-stream first packets).
   *
   * @param family inet or netdev
   * @param values each real server's label to its value in the map as an element writes it (DR: its
   *     address; NAT: its mark in hex)
   */
  public record FlowMap(String family, String name, Map<String, String> values) {
    /** The server a value read back from the kernel names, or null. */
    public String serverOf(String value) {
      for (var e : values.entrySet()) {
        String v = e.getValue();
        if (v.equalsIgnoreCase(value)
            || (v.startsWith("0x")
                && value.matches("\\d{1,19}")
                && Long.parseLong(v.substring(2), 16) == Long.parseLong(value))) {
          return e.getKey();
        }
      }
      return null;
    }
  }

  /** Marks this node's rules give packets for a moment (never left on a packet that leaves). */
  static final long MARK_BASE = 0x4c340000L;

  /** A persistent client's first packet already went to its server (DR). */
  static final long MARK_DONE = 0x4c33ffffL;

  /**
   * One render.
   *
   * @param objects every chain, map and counter, as "family kind name", chains first
   * @param declarations the tables' objects, declared (existing ones are kept as they are)
   * @param rules the rules, added to the (flushed) chains
   * @param counters what each named counter counts
   * @param serving per layer 4 VIP: how many real servers take new flows, -1 when the fallback has
   *     them, 0 when nothing does
   * @param sticky per VIP label with source-IP persistence, its client map
   * @param flows per VIP label (TCP, NAT or DR), its flow map
   */
  public record Rendered(
      List<String> objects,
      String declarations,
      String rules,
      Map<String, CounterKey> counters,
      Map<String, Integer> serving,
      Map<String, StickyMap> sticky,
      Map<String, FlowMap> flows) {

    /** No layer 4 VIP at all. */
    public boolean isEmpty() {
      return serving.isEmpty();
    }

    /**
     * The nft document that takes the kernel from {@code previous} (empty: unknown, so both tables
     * are replaced whole) to this render.
     */
    public String document(Optional<Rendered> previous) {
      StringBuilder d = new StringBuilder();
      d.append("table inet ").append(TABLE).append(" {}\n");
      d.append("table netdev ").append(TABLE).append(" {}\n");
      if (previous.isEmpty()) {
        d.append("delete table inet ").append(TABLE).append('\n');
        d.append("delete table netdev ").append(TABLE).append('\n');
      }
      d.append(declarations);
      if (previous.isPresent()) {
        List<String> before = previous.get().objects();
        for (String o : before) {
          if (o.split(" ")[1].equals("chain")) {
            d.append("flush ").append(at(o)).append('\n');
          }
        }
        // Chains come first in the list: emptied, they no longer use the maps and counters.
        for (String o : before) {
          if (!objects.contains(o)) {
            d.append("delete ").append(at(o)).append('\n');
          }
        }
      }
      d.append(rules);
      return d.toString();
    }

    private static String at(String object) {
      String[] p = object.split(" ");
      return p[1] + " " + p[0] + " " + TABLE + " " + p[2];
    }
  }

  private L4Ruleset() {}

  /** Whether nftables carries this VIP (layer 4: NAT, DR, SNAT) rather than the proxy. */
  public static boolean carries(VirtualService v) {
    return !v.isProxied();
  }

  /**
   * The render for {@code services} (the proxied ones are skipped).
   *
   * @param deviceOf a DR VIP's interface towards its real servers; empty when it cannot be found,
   *     and the VIP is then left out (its serving count is 0)
   */
  public static Rendered render(
      Collection<VirtualServiceRuntime> services,
      Function<VirtualServiceRuntime, Optional<String>> deviceOf) {
    Builder b = new Builder();
    b.sharedServers =
        MidStreamReplies.shared(services.stream().filter(r -> carries(r.config())).toList());
    for (VirtualServiceRuntime runtime : services) {
      VirtualService vip = runtime.config();
      if (!carries(vip)) {
        continue;
      }
      if (vip.mode() != ForwardingMode.DR) {
        b.nat(runtime);
      } else {
        Optional<String> device = deviceOf.apply(runtime);
        if (device.isEmpty()) {
          b.serving.put(vip.label(), 0);
          continue;
        }
        b.dr(runtime, device.get());
      }
    }
    return b.build();
  }

  /** Collects one render. */
  private static final class Builder {
    final Set<String> chains = new LinkedHashSet<>();
    final Set<String> others = new LinkedHashSet<>();
    final StringBuilder inet = new StringBuilder();
    final Map<String, StringBuilder> netdevChains = new LinkedHashMap<>();
    final StringBuilder netdevObjects = new StringBuilder();
    final StringBuilder rules = new StringBuilder();
    final Map<String, CounterKey> counters = new LinkedHashMap<>();
    final Map<String, Integer> serving = new LinkedHashMap<>();
    final Map<String, StickyMap> sticky = new LinkedHashMap<>();
    final Map<String, FlowMap> flows = new LinkedHashMap<>();

    /**
     * Declares a VIP's flow map (each open flow to its server's value) and its closing set (the
     * flows the client ended), and adds the rules that keep them to {@code chain}: a FIN or RST
     * leaves its flow {@value #CLOSING_TIMEOUT} (renewed at that while the server still sends to a
     * half-closed one), every other packet renews it to {@value #FLOW_TIMEOUT} of idleness. DR
     * records a flow at its SYN (in the forwarding rules); NAT records it here once conntrack has
     * it established, its server read from the connection's mark, so SYNs that lead nowhere never
     * take a place and a full map never stands in a connection's way.
     */
    private Flows flows(
        VirtualServiceRuntime runtime,
        String family,
        String ip,
        String valueType,
        Map<String, String> values,
        StringBuilder into,
        String chain) {
      VirtualService vip = runtime.config();
      boolean nat = family.equals("inet");
      String v = ip.equals("ip6") ? "6_" : "4_";
      String prefix = nat ? "n" : "";
      Flows f =
          new Flows(
              prefix + "flows" + v + id(vip.label()),
              prefix + "closing" + v + id(vip.label()),
              // Ports first: nft 1.0.6 (Debian 12) aborts on a map update keyed by "ip6 saddr . tcp
              // sport".
              "tcp sport . tcp dport . " + ip + " saddr",
              nat ? "0x0" : ip.equals("ip6") ? "::" : "0.0.0.0");
      others.add(family + " map " + f.name());
      others.add(family + " set " + f.closing());
      into.append("  map ")
          .append(f.name())
          .append(" {\n    typeof ")
          .append(f.key())
          .append(" : ")
          .append(valueType)
          .append("\n    size ")
          .append(FLOW_MAP_SIZE)
          .append("\n    flags dynamic, timeout\n    timeout ")
          .append(FLOW_TIMEOUT)
          .append("\n  }\n");
      into.append("  set ")
          .append(f.closing())
          .append(" {\n    typeof ")
          .append(f.key())
          .append("\n    size ")
          .append(FLOW_MAP_SIZE)
          .append("\n    flags dynamic, timeout\n    timeout ")
          .append(CLOSING_TIMEOUT)
          .append("\n  }\n");
      flows.put(vip.label(), new FlowMap(family, f.name(), Map.copyOf(values)));
      String match = match(ip, vip.address(), portSet(vip.ports()));
      String k = f.key();
      String known = " " + k + " @" + f.name();
      String plain = " tcp flags & (syn | fin | rst) == 0";
      String closing = " " + k + " @" + f.closing();
      String notClosing = " " + k + " != @" + f.closing();
      rule(
          family,
          chain,
          match
              + " tcp flags & (fin | rst) != 0"
              + known
              + " update @"
              + f.closing()
              + " { "
              + k
              + " }"
              + f.write(f.zero(), CLOSING_TIMEOUT));
      rule(family, chain, match + plain + closing + known + f.write(f.zero(), CLOSING_TIMEOUT));
      if (nat) {
        // A new connection from a port an old flow used: the old one's entry goes.
        rule(family, chain, match + " tcp flags & (syn | ack) == syn" + f.forget());
        rule(
            family,
            chain,
            match
                + " ct state established ct mark & 0xffff0000 == 0x"
                + Long.toHexString(MARK_BASE)
                + plain
                + notClosing
                + f.write("ct mark", null));
      } else {
        rule(family, chain, match + plain + notClosing + known + f.write(f.zero(), null));
      }
      return f;
    }

    /** Declares a VIP's persistence map when it keeps clients by source address. */
    private Optional<StickyMap> stickyMap(
        VirtualServiceRuntime runtime, String family, String ip, StringBuilder into) {
      VirtualService vip = runtime.config();
      if (vip.persistence().mode() != PersistenceMode.SOURCE_IP) {
        return Optional.empty();
      }
      long seconds = Math.max(1, vip.persistence().timeout().toSeconds());
      // The timeout is part of the name: a changed timeout is a new map, not a clash.
      String name = (ip.equals("ip6") ? "sticky6_" : "sticky4_") + id(vip.label()) + "_" + seconds;
      others.add(family + " map " + name);
      into.append("  map ")
          .append(name)
          .append(" {\n    typeof ")
          .append(ip)
          .append(" saddr : meta mark\n    size ")
          .append(FLOW_MAP_SIZE)
          .append("\n    flags dynamic, timeout\n    timeout ")
          .append(seconds)
          .append("s\n  }\n");
      Map<Long, String> marks = marks(runtime.backends());
      java.util.Set<Long> persistent = new java.util.LinkedHashSet<>();
      for (Backend b : runtime.backends()) {
        if (b.takesPersistentClients()) {
          persistent.add(markOf(marks, b.label()));
        }
      }
      StickyMap m =
          new StickyMap(family, name, marks, java.util.Set.copyOf(persistent), seconds * 1000);
      sticky.put(vip.label(), m);
      return Optional.of(m);
    }

    /** Remembers the client: " update @map { ip saddr : mark }" (the map's timeout). */
    private String remember(StickyMap m, String ip, String label) {
      return " update @"
          + m.name()
          + " { "
          + ip
          + " saddr : 0x"
          + Long.toHexString(markOf(m.marks(), label))
          + " }";
    }

    /**
     * Remembers a client balanced anew: an entry naming a server that no longer takes persistent
     * clients is deleted first, as an update never overwrites one.
     */
    private String rememberAnew(StickyMap m, String ip, String label) {
      return " delete @" + m.name() + " { " + ip + " saddr : 0x0 }" + remember(m, ip, label);
    }

    private String counter(String family, String name, CounterKey key) {
      counters.put(name, key);
      others.add(family + " counter " + name);
      if (family.equals("inet")) {
        inet.append("  counter ").append(name).append(" {}\n");
      } else {
        netdevObjects.append("  counter ").append(name).append(" {}\n");
      }
      return " counter name \"" + name + "\"";
    }

    private void rule(String family, String chain, String text) {
      rules.append("add rule ").append(family).append(' ').append(TABLE).append(' ');
      rules.append(chain).append(' ').append(text).append('\n');
    }

    // Server endpoints more than one NAT VIP sends to: a packet from one names no VIP.
    java.util.Set<String> sharedServers = java.util.Set.of();

    void nat(VirtualServiceRuntime runtime) {
      VirtualService vip = runtime.config();
      String ip = family(vip.address());
      String id = "c_" + id(vip.label());
      chains.add("inet chain nat_prerouting");
      chains.add("inet chain nat_postrouting");
      chains.add("inet chain forward");
      if (chains.add("inet chain no_redirects")) {
        // One-arm NAT forwards out the interface it came in on: a redirect would tell the real
        // server to answer the client directly, around the NAT (IPv6 has no knob to stop them).
        rule("inet", "no_redirects", "icmpv6 type nd-redirect drop");
        rule("inet", "no_redirects", "icmp type redirect drop");
      }
      String original =
          "meta l4proto tcp ct original "
              + ip
              + " daddr "
              + vip.address()
              + " ct original proto-dst "
              + portSet(vip.ports());
      rule(
          "inet",
          "forward",
          original
              + " ct direction original"
              + counter("inet", id + "_in", new CounterKey(vip.label(), null, Measure.BYTES_IN)));
      rule(
          "inet",
          "forward",
          original
              + " ct direction reply"
              + counter("inet", id + "_out", new CounterKey(vip.label(), null, Measure.BYTES_OUT)));
      if (vip.mode() == ForwardingMode.SNAT) {
        // The servers answer this node, not the client: no route back through it is needed.
        rule("inet", "nat_postrouting", original + " masquerade");
      } else if (vip.fallback().isPresent() && vip.fallback().get().masquerade()) {
        // MASQ fallback: only the fallback (iConnect's secondary cluster, whose gateway is not
        // this node) sees the node as the client.
        rule(
            "inet",
            "nat_postrouting",
            original
                + " ct reply "
                + ip
                + " saddr "
                + vip.fallback().get().address()
                + " masquerade");
      }
      if (vip.mode() == ForwardingMode.NAT) {
        MidStreamReplies.rules(ip, vip, runtime.backends(), sharedServers)
            .forEach(r -> rule("inet", "nat_postrouting", r));
      }
      for (Backend s : runtime.backends()) {
        String server = original + " ct reply " + ip + " saddr " + s.address().getHostAddress();
        String sid = id + "_" + id(s.label());
        rule(
            "inet",
            "forward",
            server
                + " ct direction original"
                + counter("inet", sid + "_in", key(vip, s, Measure.BYTES_IN)));
        rule(
            "inet",
            "forward",
            server
                + " ct direction reply"
                + counter("inet", sid + "_out", key(vip, s, Measure.BYTES_OUT)));
        rule(
            "inet",
            "forward",
            server
                + " ct state new"
                + counter("inet", sid + "_new", key(vip, s, Measure.NEW_FLOWS)));
      }
      Members m = members(runtime);
      Map<Long, String> marks = marks(runtime.backends());
      Map<String, String> values = new LinkedHashMap<>();
      marks.forEach((mark, label) -> values.put(label, "0x" + Long.toHexString(mark)));
      chains.add("inet chain flow_track");
      Flows fl = flows(runtime, "inet", ip, "meta mark", values, inet, "flow_track");
      String any = match(ip, vip.address(), portSet(vip.ports()));
      // A mid-stream first packet (a flow that began on the peer before a failover): back to the
      // server the flow map names, whatever it takes now, as conntrack would have kept it.
      rule(
          "inet",
          "nat_prerouting",
          any + " tcp flags & syn == 0 meta mark set " + fl.key() + " map @" + fl.name());
      for (Backend s : runtime.backends()) {
        for (int port : vip.ports()) {
          rule(
              "inet",
              "nat_prerouting",
              match(ip, vip.address(), Integer.toString(port))
                  + " tcp flags & syn == 0 meta mark 0x"
                  + Long.toHexString(markOf(marks, s.label()))
                  + " meta mark set 0 ct mark set "
                  + values.get(s.label())
                  + dnatTo(ip, s.address().getHostAddress(), s.config().targetPort(port)));
        }
      }
      Optional<StickyMap> st = stickyMap(runtime, "inet", ip, inet);
      if (st.isPresent()) {
        // A client the map knows goes back to its server while that one takes persistent clients.
        rule(
            "inet",
            "nat_prerouting",
            any + " meta mark set " + ip + " saddr map @" + st.get().name());
        for (Backend s : runtime.backends()) {
          if (!s.takesPersistentClients()) {
            continue;
          }
          for (int port : vip.ports()) {
            rule(
                "inet",
                "nat_prerouting",
                match(ip, vip.address(), Integer.toString(port))
                    + " meta mark 0x"
                    + Long.toHexString(markOf(st.get().marks(), s.label()))
                    + " meta mark set 0"
                    + remember(st.get(), ip, s.label())
                    + " ct mark set "
                    + values.get(s.label())
                    + dnatTo(ip, s.address().getHostAddress(), s.config().targetPort(port)));
          }
        }
      }
      if (!m.slots().isEmpty()) {
        serving.put(vip.label(), m.byLabel().size());
        // A new flow (or client): the slots decide, and the maps remember.
        for (Backend s : m.byLabel().values()) {
          for (int port : vip.ports()) {
            rule(
                "inet",
                "nat_prerouting",
                match(ip, vip.address(), Integer.toString(port))
                    + " "
                    + hash(ip, vip)
                    + " { "
                    + String.join(", ", m.rangesOf(s.label()))
                    + " } meta mark set 0"
                    + st.map(x -> rememberAnew(x, ip, s.label())).orElse("")
                    + " ct mark set "
                    + values.get(s.label())
                    + dnatTo(ip, s.address().getHostAddress(), s.config().targetPort(port)));
          }
        }
      } else if (vip.fallback().isPresent()) {
        serving.put(vip.label(), -1);
        Fallback fb = vip.fallback().get();
        for (int port : vip.ports()) {
          rule(
              "inet",
              "nat_prerouting",
              match(ip, vip.address(), Integer.toString(port))
                  + " meta mark set 0 dnat "
                  + ip
                  + " to "
                  + endpoint(ip, fb.address(), fb.targetPort(port)));
        }
      } else {
        serving.put(vip.label(), 0);
      }
    }

    void dr(VirtualServiceRuntime runtime, String device) {
      VirtualService vip = runtime.config();
      String ip = family(vip.address());
      String id = id(vip.label());
      String chain = "ingress_" + device.replaceAll("[^A-Za-z0-9_]", "_");
      if (!netdevChains.containsKey(chain)) {
        netdevChains.put(
            chain,
            new StringBuilder(
                "    type filter hook ingress device \""
                    + device
                    + "\" priority filter; policy accept;\n"));
        chains.add("netdev chain " + chain);
      }
      Map<String, String> values = new LinkedHashMap<>();
      for (Backend b : runtime.backends()) {
        // As nft writes addresses back (RFC 5952), so that values read from the kernel compare.
        values.put(b.label(), io.netty.util.NetUtil.toAddressString(b.address()));
      }
      Flows fl = flows(runtime, "netdev", ip, ip + " daddr", values, netdevObjects, chain);
      String flows = fl.name();
      String key = fl.key();
      String match = match(ip, vip.address(), portSet(vip.ports()));
      String syn = match + " tcp flags & (syn | ack) == syn";
      String fwd = " fwd " + ip + " to ";
      String dev = " device \"" + device + "\"";
      rule(
          "netdev",
          chain,
          match
              + counter(
                  "netdev",
                  "c_" + id + "_in",
                  new CounterKey(vip.label(), null, Measure.BYTES_IN)));
      Members m = members(runtime);
      Optional<StickyMap> st = stickyMap(runtime, "netdev", ip, netdevObjects);
      Map<String, String> newFlowCounters = new LinkedHashMap<>();
      for (Backend s : runtime.backends()) {
        newFlowCounters.put(
            s.label(),
            counter(
                "netdev",
                "c_" + id + "_" + id(s.label()) + "_new",
                key(vip, s, Measure.NEW_FLOWS)));
      }
      String fresh = "";
      if (st.isPresent()) {
        rule("netdev", chain, syn + " meta mark set " + ip + " saddr map @" + st.get().name());
        for (Backend s : runtime.backends()) {
          if (s.takesPersistentClients()) {
            rule(
                "netdev",
                chain,
                syn
                    + " meta mark 0x"
                    + Long.toHexString(markOf(st.get().marks(), s.label()))
                    + " meta mark set 0x"
                    + Long.toHexString(MARK_DONE)
                    + newFlowCounters.get(s.label())
                    + remember(st.get(), ip, s.label())
                    + fl.remember(s.address().getHostAddress()));
          }
        }
        fresh = " meta mark != 0x" + Long.toHexString(MARK_DONE);
      }
      for (Backend s : runtime.backends()) {
        List<String> ranges = m.rangesOf(s.label());
        String newFlows = newFlowCounters.get(s.label());
        if (ranges.isEmpty()) {
          continue;
        }
        rule(
            "netdev",
            chain,
            syn
                + fresh
                + " "
                + hash(ip, vip)
                + " { "
                + String.join(", ", ranges)
                + " }"
                + newFlows
                + st.map(x -> rememberAnew(x, ip, s.label())).orElse("")
                + fl.remember(s.address().getHostAddress()));
      }
      if (m.slots().isEmpty() && vip.fallback().isPresent()) {
        rule("netdev", chain, syn + fl.remember(vip.fallback().get().address()));
      }
      rule("netdev", chain, match + fwd + key + " map @" + flows + dev);
      if (!m.slots().isEmpty()) {
        serving.put(vip.label(), m.byLabel().size());
        rule(
            "netdev",
            chain,
            match
                + fwd
                + hash(ip, vip)
                + " map { "
                + slotMap(m, b -> b.address().getHostAddress())
                + " }"
                + dev);
      } else if (vip.fallback().isPresent()) {
        serving.put(vip.label(), -1);
        rule("netdev", chain, match + fwd + vip.fallback().get().address() + dev);
      } else {
        serving.put(vip.label(), 0);
      }
    }

    Rendered build() {
      StringBuilder d = new StringBuilder();
      if (chains.contains("inet chain forward")) {
        d.append("table inet ").append(TABLE).append(" {\n").append(inet);
        d.append("  chain nat_prerouting {\n");
        d.append("    type nat hook prerouting priority dstnat; policy accept;\n  }\n");
        d.append("  chain nat_postrouting {\n");
        d.append("    type nat hook postrouting priority srcnat; policy accept;\n  }\n");
        d.append("  chain flow_track {\n");
        d.append("    type filter hook prerouting priority mangle; policy accept;\n  }\n");
        d.append("  chain no_redirects {\n");
        d.append("    type filter hook output priority filter; policy accept;\n  }\n");
        d.append("  chain forward {\n");
        d.append("    type filter hook forward priority filter; policy accept;\n  }\n}\n");
      }
      if (!netdevChains.isEmpty()) {
        d.append("table netdev ").append(TABLE).append(" {\n").append(netdevObjects);
        netdevChains.forEach(
            (name, head) ->
                d.append("  chain ").append(name).append(" {\n").append(head).append("  }\n"));
        d.append("}\n");
      }
      List<String> objects = new ArrayList<>(chains);
      objects.addAll(others);
      return new Rendered(
          List.copyOf(objects),
          d.toString(),
          rules.toString(),
          Map.copyOf(counters),
          serving,
          Map.copyOf(sticky),
          Map.copyOf(flows));
    }
  }

  /**
   * Each server's mark, from its label so it survives reorders and other servers coming and going;
   * a clash within the VIP takes the next free mark (labels in order, so both nodes agree).
   */
  private static Map<Long, String> marks(List<Backend> backends) {
    List<String> labels = backends.stream().map(Backend::label).sorted().toList();
    Map<Long, String> marks = new LinkedHashMap<>();
    for (String label : labels) {
      long mark = MARK_BASE | Long.parseLong(id(label).substring(0, 4), 16);
      while (marks.containsKey(mark) || mark == MARK_BASE) {
        mark = MARK_BASE | ((mark + 1) & 0xffff);
      }
      marks.put(mark, label);
    }
    return marks;
  }

  private static long markOf(Map<Long, String> marks, String label) {
    return marks.entrySet().stream()
        .filter(e -> e.getValue().equals(label))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  /** " dnat ip to address:port" (brackets for IPv6). */
  private static String dnatTo(String ip, String address, int port) {
    return " dnat " + ip + " to " + endpoint(ip, address, port);
  }

  private static String endpoint(String ip, String address, int port) {
    return ip.equals("ip6") ? "[" + address + "]:" + port : address + ":" + port;
  }

  private static CounterKey key(VirtualService vip, Backend s, Measure m) {
    return new CounterKey(vip.label(), s.label(), m);
  }

  /** A flow map's and its closing set's names, their key, and the value a mere renewal writes. */
  private record Flows(String name, String closing, String key, String zero) {
    /**
     * A new flow: whatever an earlier flow from the same port left is replaced. It has {@value
     * #CLOSING_TIMEOUT} to complete its handshake (the client's next packet renews it to {@value
     * #FLOW_TIMEOUT}), so SYNs that lead nowhere (a scan, a flood) do not fill the map.
     */
    String remember(String value) {
      return forget() + write(value, CLOSING_TIMEOUT);
    }

    /** " delete" of the flow from the closing set and the map. */
    String forget() {
      return " delete @"
          + closing
          + " { "
          + key
          + " } delete @"
          + name
          + " { "
          + key
          + " : "
          + zero
          + " }";
    }

    /** " update" of the flow to {@code value}, with its own timeout when not null. */
    String write(String value, String timeout) {
      return " update @"
          + name
          + " { "
          + key
          + (timeout == null ? "" : " timeout " + timeout)
          + " : "
          + value
          + " }";
    }
  }

  /** The servers that take new flows, and their slots. */
  private record Members(SlotTable slots, Map<String, Backend> byLabel) {
    /** A server's slots as nft ranges ("0-40", "77"). */
    List<String> rangesOf(String label) {
      List<String> ranges = new ArrayList<>();
      if (slots.isEmpty()) {
        return ranges;
      }
      int s = 0;
      while (s < SlotTable.SLOTS) {
        if (!slots.owner(s).equals(label)) {
          s++;
          continue;
        }
        int end = s;
        while (end + 1 < SlotTable.SLOTS && slots.owner(end + 1).equals(label)) {
          end++;
        }
        ranges.add(end == s ? Integer.toString(s) : s + "-" + end);
        s = end + 1;
      }
      return ranges;
    }
  }

  private static Members members(VirtualServiceRuntime runtime) {
    List<SlotTable.Member> members = new ArrayList<>();
    Map<String, Backend> byLabel = new LinkedHashMap<>();
    for (Backend b : runtime.backends()) {
      if (b.available()) {
        members.add(new SlotTable.Member(b.label(), b.weight()));
        byLabel.put(b.label(), b);
      }
    }
    return new Members(SlotTable.of(members), byLabel);
  }

  private static String family(String address) {
    return IpLiterals.parse(address) instanceof Inet6Address ? "ip6" : "ip";
  }

  private static String match(String ip, String address, String ports) {
    return ip + " daddr " + address + " tcp dport " + ports;
  }

  /** With source-IP persistence a client's every flow hashes alike; otherwise each flow alone. */
  private static String hash(String ip, VirtualService vip) {
    boolean perClient =
        vip.persistence().mode() == PersistenceMode.SOURCE_IP
            || vip.scheduler() == SchedulerKind.SOURCE_HASH;
    return "jhash "
        + ip
        + " saddr"
        + (perClient ? "" : " . tcp sport")
        + " mod "
        + SlotTable.SLOTS
        + " seed 0x"
        + Long.toHexString(SlotTable.seed(vip.label()));
  }

  private static String portSet(List<Integer> ports) {
    if (ports.size() == 1) {
      return Integer.toString(ports.get(0));
    }
    return "{ " + String.join(", ", ports.stream().map(String::valueOf).toList()) + " }";
  }

  /** Slot ranges to targets: {@code 0-40 : 10.0.0.1 . 80, 41 : 10.0.0.2 . 80, ...}. */
  private static String slotMap(Members m, Function<Backend, String> target) {
    List<String> elements = new ArrayList<>();
    for (Backend b : m.byLabel().values()) {
      for (String range : m.rangesOf(b.label())) {
        elements.add(range + " : " + target.apply(b));
      }
    }
    return String.join(", ", elements);
  }

  /** A short stable name part for a label: nft names stay valid whatever the label holds. */
  static String id(String label) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
