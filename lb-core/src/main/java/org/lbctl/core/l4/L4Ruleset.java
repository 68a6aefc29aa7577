package org.lbctl.core.l4;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.Fallback;
import org.lbctl.core.config.ForwardingMode;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.PersistenceMode;
import org.lbctl.core.config.SchedulerKind;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.service.VirtualServiceRuntime;

/**
 * The nftables table {@value #TABLE} that carries the layer 4 NAT virtual services, rendered from
 * the running VIPs and their real servers' current state, as one {@code nft -f} document that
 * replaces the table atomically and touches no other table.
 *
 * <p>Per VIP port, a DNAT rule hashes each new flow (client address and port, or the client address
 * alone with source-IP persistence) with the VIP's seed into {@link SlotTable#SLOTS} slots and maps
 * the slot to a real server that takes new flows; conntrack keeps established flows where they are.
 * With no such server the fallback takes every port; with no fallback either there is no rule and
 * the node's own stack refuses the connection. Counters per VIP and real server sit in the forward
 * hook, which sees both directions of a NAT flow.
 */
public final class L4Ruleset {
  /** lbctl's table; nothing else is ever touched. */
  public static final String TABLE = "lbctl_l4";

  /**
   * What a named counter counts: a VIP's traffic, or one of its real servers' (server non-null).
   */
  public record CounterKey(String vip, String server) {}

  /**
   * @param text the {@code nft -f} document
   * @param counters the named counters in it
   * @param serving per VIP, how many real servers take new flows (or -1: the fallback has them)
   */
  public record Rendered(
      String text, Map<String, CounterKey> counters, Map<String, Integer> serving) {}

  private L4Ruleset() {}

  /** Whether nftables carries this VIP (layer 4 NAT) rather than the proxy. */
  public static boolean carries(VirtualService v) {
    return !v.isProxied() && v.mode() == ForwardingMode.NAT;
  }

  /** The document for {@code services} (the non-layer-4 ones are skipped). */
  public static Rendered render(Collection<VirtualServiceRuntime> services) {
    StringBuilder counters = new StringBuilder();
    StringBuilder nat = new StringBuilder();
    StringBuilder forward = new StringBuilder();
    Map<String, CounterKey> names = new LinkedHashMap<>();
    Map<String, Integer> serving = new LinkedHashMap<>();
    int v = 0;
    for (VirtualServiceRuntime runtime : services) {
      VirtualService vip = runtime.config();
      if (!carries(vip)) {
        continue;
      }
      String family = family(IpLiterals.parse(vip.address()));
      String vipCounter = "v" + v;
      names.put(vipCounter, new CounterKey(vip.label(), null));
      counters.append("  counter ").append(vipCounter).append(" {}\n");
      String original =
          "meta l4proto tcp ct original "
              + family
              + " daddr "
              + vip.address()
              + " ct original proto-dst "
              + portSet(vip.ports());
      forward.append("    ").append(original).append(" counter name \"").append(vipCounter);
      forward.append("\"\n");
      List<Backend> backends = runtime.backends();
      for (int r = 0; r < backends.size(); r++) {
        String name = vipCounter + "_r" + r;
        names.put(name, new CounterKey(vip.label(), backends.get(r).label()));
        counters.append("  counter ").append(name).append(" {}\n");
        forward
            .append("    ")
            .append(original)
            .append(" ct reply ")
            .append(family)
            .append(" saddr ")
            .append(backends.get(r).address().getHostAddress())
            .append(" counter name \"")
            .append(name)
            .append("\"\n");
      }
      List<SlotTable.Member> members = new ArrayList<>();
      Map<String, Backend> byLabel = new LinkedHashMap<>();
      for (Backend b : backends) {
        if (b.available()) {
          members.add(new SlotTable.Member(b.label(), b.weight()));
          byLabel.put(b.label(), b);
        }
      }
      SlotTable slots = SlotTable.of(members);
      nat.append("    # ").append(vip.label()).append(": ");
      if (!slots.isEmpty()) {
        nat.append(members.size()).append(" of ").append(backends.size());
        nat.append(" real servers take new flows\n");
        serving.put(vip.label(), members.size());
        for (int port : vip.ports()) {
          nat.append("    ").append(match(family, vip.address(), port));
          nat.append(" dnat ").append(family).append(" addr . port to jhash ");
          nat.append(flowKey(family, vip)).append(" mod ").append(SlotTable.SLOTS);
          nat.append(" seed 0x").append(Long.toHexString(SlotTable.seed(vip.label())));
          nat.append(" map { ").append(slotMap(slots, byLabel, port)).append(" }\n");
        }
      } else if (vip.fallback().isPresent()) {
        Fallback fb = vip.fallback().get();
        nat.append("no real server takes new flows: the fallback has them\n");
        serving.put(vip.label(), -1);
        for (int port : vip.ports()) {
          nat.append("    ").append(match(family, vip.address(), port));
          nat.append(" dnat ").append(family).append(" to ");
          nat.append(endpoint(family, fb.address(), fb.targetPort(port))).append("\n");
        }
      } else {
        nat.append("no real server takes new flows and there is no fallback: refused\n");
        serving.put(vip.label(), 0);
      }
      v++;
    }
    String text =
        """
        table inet %1$s {}
        delete table inet %1$s
        table inet %1$s {
        %2$s  chain nat_prerouting {
            type nat hook prerouting priority dstnat; policy accept;
        %3$s  }
          chain forward {
            type filter hook forward priority filter; policy accept;
        %4$s  }
        }
        """
            .formatted(TABLE, counters, nat, forward);
    return new Rendered(text, names, serving);
  }

  private static String family(InetAddress a) {
    return a instanceof Inet6Address ? "ip6" : "ip";
  }

  private static String match(String family, String address, int port) {
    return family + " daddr " + address + " tcp dport " + port;
  }

  /**
   * With source-IP persistence a client's every flow hashes alike; otherwise each flow on its own.
   */
  private static String flowKey(String family, VirtualService vip) {
    boolean perClient =
        vip.persistence().mode() == PersistenceMode.SOURCE_IP
            || vip.scheduler() == SchedulerKind.SOURCE_HASH;
    return family + " saddr" + (perClient ? "" : " . tcp sport");
  }

  private static String portSet(List<Integer> ports) {
    if (ports.size() == 1) {
      return Integer.toString(ports.get(0));
    }
    return "{ " + String.join(", ", ports.stream().map(String::valueOf).toList()) + " }";
  }

  /** Slot ranges to servers: {@code 0-40 : 10.0.0.1 . 80, 41 : 10.0.0.2 . 80, ...}. */
  private static String slotMap(SlotTable slots, Map<String, Backend> byLabel, int vipPort) {
    List<String> elements = new ArrayList<>();
    int start = 0;
    for (int s = 1; s <= SlotTable.SLOTS; s++) {
      if (s < SlotTable.SLOTS && slots.owner(s).equals(slots.owner(start))) {
        continue;
      }
      Backend b = byLabel.get(slots.owner(start));
      String range = s - 1 == start ? Integer.toString(start) : start + "-" + (s - 1);
      elements.add(
          range + " : " + b.address().getHostAddress() + " . " + b.config().targetPort(vipPort));
      start = s;
    }
    return String.join(", ", elements);
  }

  private static String endpoint(String family, String address, int port) {
    return family.equals("ip6") ? "[" + address + "]:" + port : address + ":" + port;
  }
}
