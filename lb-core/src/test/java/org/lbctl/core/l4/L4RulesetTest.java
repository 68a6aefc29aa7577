package org.lbctl.core.l4;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.service.ServiceCounters;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.lbctl.core.testing.Configs;

class L4RulesetTest {
  private static List<VirtualServiceRuntime> runtimes(String yaml) {
    ReplicatedConfig c = Configs.yaml(yaml);
    return c.virtualServices().stream()
        .map(v -> new VirtualServiceRuntime(v, Map.of(), new ServiceCounters()))
        .toList();
  }

  private static final Function<VirtualServiceRuntime, Optional<String>> ETH0 =
      r -> Optional.of("eth0");

  private static L4Ruleset.Rendered render(List<VirtualServiceRuntime> rt) {
    return L4Ruleset.render(rt, ETH0);
  }

  private static final String DICOM_DR =
      """
      virtualServices:
        - label: dicom
          address: 10.99.0.100
          ports: [104]
          layer: 4
          mode: dr
          realServers:
            - {label: ds1, address: 10.99.0.21, port: 0}
            - {label: ds2, address: 10.99.0.22, port: 0}
      """;

  private static final String VNA =
      """
      virtualServices:
        - label: vna
          address: 10.99.0.100
          ports: [104, 2762]
          layer: 4
          mode: nat
          fallback: {address: 10.99.1.30, port: 0}
          realServers:
            - {label: vna1, address: 10.99.1.21, port: 0}
            - {label: vna2, address: 10.99.1.22, port: 0}
        - label: portal
          address: 10.99.0.100
          ports: [443]
          realServers: [{label: web, address: 10.99.1.40, port: 443}]
      """;

  @Test
  void eachPortOfANatVipHashesItsFlowsOverTheSlotsWithTheVipsSeed() {
    var r = L4Ruleset.render(runtimes(VNA), ETH0);
    String seed = "seed 0x" + Long.toHexString(SlotTable.seed("vna"));
    String vna = L4Ruleset.id("vna");
    assertThat(r.rules())
        .contains(
            "add rule inet lbctl_l4 nat_prerouting ip daddr 10.99.0.100 tcp dport 104 jhash ip"
                + " saddr . tcp sport mod 257 "
                + seed)
        .contains("ip daddr 10.99.0.100 tcp dport 2762 jhash")
        // Port 0: each VIP port goes to the same port on the server.
        .contains("dnat ip to 10.99.1.21:104")
        .contains("dnat ip to 10.99.1.22:2762")
        // The proxied VIP beside it is not the kernel's.
        .doesNotContain("10.99.1.40");
    assertThat(r.declarations()).contains("chain nat_prerouting").doesNotContain("netdev");
    assertThat(r.serving()).containsExactly(Map.entry("vna", 2));
    assertThat(r.counters())
        .containsEntry(
            "c_" + vna + "_in", new L4Ruleset.CounterKey("vna", null, L4Ruleset.Measure.BYTES_IN))
        .containsEntry(
            "c_" + vna + "_" + L4Ruleset.id("vna2") + "_new",
            new L4Ruleset.CounterKey("vna", "vna2", L4Ruleset.Measure.NEW_FLOWS));
    // Unknown before: both tables replaced whole.
    assertThat(r.document(Optional.empty()))
        .startsWith(
            "table inet lbctl_l4 {}\ntable netdev lbctl_l4 {}\ndelete table inet lbctl_l4\n"
                + "delete table netdev lbctl_l4\n");
  }

  @Test
  void aNewRenderFlushesTheChainsAndDeletesOnlyWhatIsGone() {
    var before = render(runtimes(VNA));
    var after = render(runtimes(VNA.replaceAll(" *- \\{label: vna2.*\\n", "")));
    String doc = after.document(Optional.of(before));
    assertThat(doc)
        .doesNotContain("delete table")
        .contains("flush chain inet lbctl_l4 nat_prerouting")
        .contains("flush chain inet lbctl_l4 forward")
        .contains(
            "delete counter inet lbctl_l4 c_"
                + L4Ruleset.id("vna")
                + "_"
                + L4Ruleset.id("vna2")
                + "_in")
        .doesNotContain("delete counter inet lbctl_l4 c_" + L4Ruleset.id("vna") + "_in");
    // Flushes come before deletes: a counter is deleted only once no rule uses it.
    assertThat(doc.lastIndexOf("flush chain")).isLessThan(doc.indexOf("delete counter"));
  }

  @Test
  void drRemembersEachNewFlowsServerAndForwardsUnchangedButForTheMac() {
    var r =
        render(
            runtimes(
                DICOM_DR.replace(
                    "mode: dr", "mode: dr\n    persistence: {mode: source-ip, timeout: 300s}")));
    String flows = "flows4_" + L4Ruleset.id("dicom");
    assertThat(r.declarations())
        .contains("table netdev lbctl_l4 {")
        .contains("map " + flows + " {\n    typeof tcp sport . tcp dport . ip saddr : ip daddr")
        .contains("chain ingress_eth0 {\n    type filter hook ingress device \"eth0\"");
    assertThat(r.rules())
        .contains(
            "ip daddr 10.99.0.100 tcp dport 104 tcp flags & (syn | ack) == syn meta mark !="
                + " 0x4c33ffff jhash ip saddr mod 257")
        // A persistent client's SYN follows the persistence map first.
        .contains("tcp flags & (syn | ack) == syn meta mark set ip saddr map @sticky4_")
        .contains(
            "update @" + flows + " { tcp sport . tcp dport . ip saddr timeout 60s : 10.99.0.21 }")
        .contains(
            "update @" + flows + " { tcp sport . tcp dport . ip saddr timeout 60s : 10.99.0.22 }")
        .contains(
            "ip daddr 10.99.0.100 tcp dport 104 fwd ip to tcp sport . tcp dport . ip saddr map @"
                + flows
                + " device \"eth0\"")
        .contains("fwd ip to jhash ip saddr mod 257");
    // The map lookup comes before the hash: known flows stay where they are.
    assertThat(r.rules().indexOf("map @" + flows)).isLessThan(r.rules().indexOf("map { "));
  }

  @Test
  void aNewFlowReplacesWhatItsPortLeftAClosedOneFadesAndOthersAreRenewed() {
    for (String config : List.of(DICOM_DR, VNA)) {
      var r = render(runtimes(config));
      String vip = config == VNA ? "vna" : "dicom";
      L4Ruleset.FlowMap m = r.flows().get(vip);
      String closing = m.name().replace("flows", "closing");
      String key = "tcp sport . tcp dport . ip saddr";
      assertThat(r.declarations())
          .contains("set " + closing + " {\n    typeof " + key)
          .contains("timeout " + L4Ruleset.CLOSING_TIMEOUT);
      // The kernel never overwrites an element: a reused port's old flow is deleted first.
      assertThat(r.rules())
          .contains(
              " delete @" + closing + " { " + key + " } delete @" + m.name() + " { " + key + " : ")
          .contains(
              "tcp flags & (fin | rst) != 0 "
                  + key
                  + " @"
                  + m.name()
                  + " update @"
                  + closing
                  + " { "
                  + key
                  + " } update @"
                  + m.name()
                  + " { "
                  + key
                  + " timeout 60s : ")
          // A half-closed flow is renewed at the closing timeout while the server still sends.
          .contains(
              "tcp flags & (syn | fin | rst) == 0 "
                  + key
                  + " @"
                  + closing
                  + " "
                  + key
                  + " @"
                  + m.name()
                  + " update @"
                  + m.name()
                  + " { "
                  + key
                  + " timeout 60s : ");
      if (config == VNA) {
        // NAT: recorded once conntrack has the connection, its server from the connection's mark
        // (set with the DNAT), so a SYN never takes a place and a full map stops no connection.
        assertThat(r.rules())
            .contains(
                "ct state established ct mark & 0xffff0000 == 0x4c340000 tcp flags & (syn | fin |"
                    + " rst) == 0 "
                    + key
                    + " != @"
                    + closing
                    + " update @"
                    + m.name()
                    + " { "
                    + key
                    + " : ct mark }")
            .contains(" ct mark set " + m.values().get("vna1") + " dnat ip to 10.99.1.21:104");
        assertThat(r.rules().lines().filter(l -> l.contains(" dnat ")))
            .noneMatch(l -> l.contains("update @" + m.name()));
      } else {
        assertThat(r.rules())
            .contains(
                "tcp flags & (syn | fin | rst) == 0 "
                    + key
                    + " != @"
                    + closing
                    + " "
                    + key
                    + " @"
                    + m.name()
                    + " update @");
      }
      assertThat(m.values().keySet()).hasSize(2);
    }
    L4Ruleset.FlowMap nat = render(runtimes(VNA)).flows().get("vna");
    String mark = nat.values().get("vna1");
    assertThat(nat.serverOf(Long.toString(Long.parseLong(mark.substring(2), 16))))
        .isEqualTo("vna1");
    assertThat(render(runtimes(DICOM_DR)).flows().get("dicom").serverOf("10.99.0.22")).isNotNull();
  }

  @Test
  void aDrainedDrServerKeepsItsFlowsButGetsNoNewOnes() {
    List<VirtualServiceRuntime> rt = runtimes(DICOM_DR);
    rt.get(0).backends().get(0).state().setAdminState(AdminState.DRAIN);
    var r = render(rt);
    assertThat(r.rules())
        .doesNotContain(": 10.99.0.21 }")
        .contains("map { 0-256 : 10.99.0.22 }")
        .contains("ip saddr map @flows4_");
  }

  @Test
  void aDrVipWithNoRouteToItsServersIsLeftOut() {
    var r =
        L4Ruleset.render(
            runtimes(
                """
                virtualServices:
                  - {label: d, address: 10.99.0.100, ports: [104], layer: 4, mode: dr,
                     realServers: [{label: a, address: 10.99.0.21, port: 0}]}
                """),
            x -> Optional.empty());
    assertThat(r.rules()).isEmpty();
    assertThat(r.serving()).containsExactly(Map.entry("d", 0));
  }

  @Test
  void allHaltedSendsEveryPortToTheFallbackAndSourceIpHashesTheClientAlone() {
    List<VirtualServiceRuntime> rt =
        runtimes(
            VNA.replace(
                "mode: nat", "mode: nat\n    persistence: {mode: source-ip, timeout: 60m}"));
    String before = L4Ruleset.render(rt, ETH0).rules();
    assertThat(before).contains("jhash ip saddr mod 257");
    rt.get(0).backends().forEach(b -> b.state().setAdminState(AdminState.HALT));
    var r = L4Ruleset.render(rt, ETH0);
    assertThat(r.rules())
        .contains("ip daddr 10.99.0.100 tcp dport 104 meta mark set 0 dnat ip to 10.99.1.30:104")
        .contains("ip daddr 10.99.0.100 tcp dport 2762 meta mark set 0 dnat ip to 10.99.1.30:2762")
        .doesNotContain("jhash");
    assertThat(r.serving()).containsExactly(Map.entry("vna", -1));
  }

  @Test
  void withNoServerAndNoFallbackThereIsNoRuleAndTheNodeRefuses() {
    List<VirtualServiceRuntime> rt =
        runtimes(VNA.replace("fallback: {address: 10.99.1.30, port: 0}", "fallback: null"));
    rt.get(0).backends().forEach(b -> b.state().setHealthy(false));
    var r = L4Ruleset.render(rt, ETH0);
    // Only a flow that began before (on the peer) is sent on: no new one.
    assertThat(r.rules().lines().filter(l -> l.contains("dnat")))
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l).contains("tcp flags & syn == 0 meta mark 0x"));
    assertThat(r.serving()).containsExactly(Map.entry("vna", 0));
  }

  @Test
  void slotsGoInRangesToTheServersThatTakeNewFlows() {
    List<VirtualServiceRuntime> rt = runtimes(VNA);
    rt.get(0).backends().get(0).state().setAdminState(AdminState.DRAIN);
    var r = L4Ruleset.render(rt, ETH0);
    assertThat(r.rules())
        .contains("jhash ip saddr . tcp sport mod 257 seed")
        .contains(" { 0-256 } meta mark set 0");
    // New flows only to vna2; vna1's open flows still find it after a failover.
    assertThat(r.rules().lines().filter(l -> l.contains("jhash")))
        .allSatisfy(l -> assertThat(l).doesNotContain("10.99.1.21"));
    assertThat(r.rules()).contains("tcp flags & syn == 0 meta mark 0x");
    // Still counted: its open flows go on.
    assertThat(r.rules()).contains("ct reply ip saddr 10.99.1.21 ct direction original counter");
  }

  @Test
  void snatIsNatWithTheSourceMasqueraded() {
    var r = render(runtimes(VNA.replace("mode: nat", "mode: snat")));
    assertThat(r.rules())
        .contains(
            "add rule inet lbctl_l4 nat_postrouting meta l4proto tcp ct original ip daddr"
                + " 10.99.0.100 ct original proto-dst { 104, 2762 } masquerade")
        .contains("jhash ip saddr . tcp sport");
    assertThat(render(runtimes(VNA)).rules()).doesNotContain("masquerade");
  }

  @Test
  void aMasqFallbackSeesTheNodeAsItsClientAndOnlyIt() {
    var r =
        render(
            runtimes(
                VNA.replace(
                    "fallback: {address: 10.99.1.30, port: 0}",
                    "fallback: {address: 10.99.1.30, port: 0, masquerade: true}")));
    assertThat(r.rules())
        .contains(
            "add rule inet lbctl_l4 nat_postrouting meta l4proto tcp ct original ip daddr"
                + " 10.99.0.100 ct original proto-dst { 104, 2762 } ct reply ip saddr 10.99.1.30"
                + " masquerade")
        .doesNotContain("proto-dst { 104, 2762 } masquerade");
  }

  @Test
  void sourceIpClientsAreRememberedWithTheTimeoutAndFollowOnlyServersThatTakeThem() {
    List<VirtualServiceRuntime> rt =
        runtimes(
            VNA.replace(
                "mode: nat", "mode: nat\n    persistence: {mode: source-ip, timeout: 60m}"));
    var r = render(rt);
    L4Ruleset.StickyMap m = r.sticky().get("vna");
    assertThat(m.name()).isEqualTo("sticky4_" + L4Ruleset.id("vna") + "_3600");
    assertThat(r.declarations())
        .contains("map " + m.name() + " {\n    typeof ip saddr : meta mark")
        .contains("timeout 3600s");
    assertThat(m.marks().values()).containsExactlyInAnyOrder("vna1", "vna2");
    assertThat(m.persistent()).isEqualTo(m.marks().keySet());
    assertThat(r.rules())
        .contains("tcp dport { 104, 2762 } meta mark set ip saddr map @" + m.name())
        .contains("update @" + m.name() + " { ip saddr : 0x")
        // Balanced anew: an entry naming another server is replaced.
        .contains(
            "meta mark set 0 delete @"
                + m.name()
                + " { ip saddr : 0x0 } update @"
                + m.name()
                + " { ip saddr : 0x");
    // A halted server's clients no longer follow their mark (the node deletes their entries).
    rt.get(0).backend("vna1").orElseThrow().state().setAdminState(AdminState.HALT);
    var halted = render(rt);
    L4Ruleset.StickyMap h = halted.sticky().get("vna");
    long vna1 =
        h.marks().entrySet().stream()
            .filter(e -> e.getValue().equals("vna1"))
            .findFirst()
            .orElseThrow()
            .getKey();
    assertThat(h.persistent()).doesNotContain(vna1).hasSize(1);
    String follows = "meta mark 0x" + Long.toHexString(vna1) + " meta mark set 0 update @";
    assertThat(halted.rules()).doesNotContain(follows);
    // A draining server keeps its persistent clients.
    rt.get(0).backend("vna1").orElseThrow().state().setAdminState(AdminState.DRAIN);
    assertThat(render(rt).rules()).contains(follows);
  }

  @Test
  void ipv6VipsUseIp6Rules() {
    var r =
        render(
            runtimes(
                """
                virtualServices:
                  - label: six
                    address: "fd99::100"
                    ports: [80]
                    layer: 4
                    mode: nat
                    realServers: [{label: a, address: "fd99:1::21", port: 8080}]
                """));
    assertThat(r.rules())
        .contains("ip6 daddr fd99::100 tcp dport 80 jhash ip6 saddr")
        .contains("dnat ip6 to [fd99:1:0:0:0:0:0:21]:8080")
        .contains(
            "update @nflows6_"
                + L4Ruleset.id("six")
                + " { tcp sport . tcp dport . ip6 saddr : ct mark }")
        .contains("meta l4proto tcp ct original ip6 daddr fd99::100");
  }

  @Test
  void noLayer4VipMeansNothingToServe() {
    var r =
        render(
            runtimes(
                """
                virtualServices:
                  - {label: p, address: 10.0.0.1, ports: [80],
                     realServers: [{label: a, address: 10.0.0.2, port: 80}]}
                """));
    assertThat(r.serving()).isEmpty();
  }
}
