package org.lbctl.core.l4;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
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
    var r = L4Ruleset.render(runtimes(VNA));
    String seed = "seed 0x" + Long.toHexString(SlotTable.seed("vna"));
    assertThat(r.text())
        .startsWith("table inet lbctl_l4 {}\ndelete table inet lbctl_l4\n")
        .contains(
            "ip daddr 10.99.0.100 tcp dport 104 dnat ip addr . port to jhash ip saddr . tcp sport"
                + " mod 257 "
                + seed)
        .contains("ip daddr 10.99.0.100 tcp dport 2762 dnat ip addr . port to jhash")
        // Port 0: each VIP port goes to the same port on the server.
        .contains("10.99.1.21 . 104")
        .contains("10.99.1.22 . 2762")
        // The proxied VIP beside it is not the kernel's.
        .doesNotContain("10.99.1.40 . ");
    assertThat(r.serving()).containsExactly(Map.entry("vna", 2));
    assertThat(r.counters())
        .containsEntry("v0", new L4Ruleset.CounterKey("vna", null))
        .containsEntry("v0_r1", new L4Ruleset.CounterKey("vna", "vna2"));
  }

  @Test
  void allHaltedSendsEveryPortToTheFallbackAndSourceIpHashesTheClientAlone() {
    List<VirtualServiceRuntime> rt =
        runtimes(
            VNA.replace(
                "mode: nat", "mode: nat\n    persistence: {mode: source-ip, timeout: 60m}"));
    String before = L4Ruleset.render(rt).text();
    assertThat(before).contains("jhash ip saddr mod 257");
    rt.get(0).backends().forEach(b -> b.state().setAdminState(AdminState.HALT));
    var r = L4Ruleset.render(rt);
    assertThat(r.text())
        .contains("ip daddr 10.99.0.100 tcp dport 104 dnat ip to 10.99.1.30:104")
        .contains("ip daddr 10.99.0.100 tcp dport 2762 dnat ip to 10.99.1.30:2762")
        .doesNotContain("jhash");
    assertThat(r.serving()).containsExactly(Map.entry("vna", -1));
  }

  @Test
  void withNoServerAndNoFallbackThereIsNoRuleAndTheNodeRefuses() {
    List<VirtualServiceRuntime> rt =
        runtimes(VNA.replace("fallback: {address: 10.99.1.30, port: 0}", "fallback: null"));
    rt.get(0).backends().forEach(b -> b.state().setHealthy(false));
    var r = L4Ruleset.render(rt);
    assertThat(r.text()).doesNotContain("dnat");
    assertThat(r.serving()).containsExactly(Map.entry("vna", 0));
  }

  @Test
  void slotsGoInRangesToTheServersThatTakeNewFlows() {
    List<VirtualServiceRuntime> rt = runtimes(VNA);
    rt.get(0).backends().get(0).state().setAdminState(AdminState.DRAIN);
    var r = L4Ruleset.render(rt);
    assertThat(r.text())
        .contains("map { 0-256 : 10.99.1.22 . 104 }")
        .doesNotContain("10.99.1.21 . ");
    // Still counted: its open flows go on.
    assertThat(r.text()).contains("ct reply ip saddr 10.99.1.21 counter name \"v0_r0\"");
  }

  @Test
  void ipv6VipsUseIp6Rules() {
    var r =
        L4Ruleset.render(
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
    assertThat(r.text())
        .contains("ip6 daddr fd99::100 tcp dport 80 dnat ip6 addr . port to jhash ip6 saddr")
        .contains("meta l4proto tcp ct original ip6 daddr fd99::100");
  }

  @Test
  void noLayer4VipMeansNothingToServe() {
    var r =
        L4Ruleset.render(
            runtimes(
                """
                virtualServices:
                  - {label: p, address: 10.0.0.1, ports: [80],
                     realServers: [{label: a, address: 10.0.0.2, port: 80}]}
                """));
    assertThat(r.serving()).isEmpty();
  }
}
