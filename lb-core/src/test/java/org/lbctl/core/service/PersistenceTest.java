package org.lbctl.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.StickKeys;

/** How each persistence mode routes, on the runtime that the proxy asks. */
class PersistenceTest {
  private final InMemoryStickTable sticks = new InMemoryStickTable();

  private VirtualServiceRuntime service(String scheduler, String persistence) throws Exception {
    var config =
        ConfigLoader.parse(
            """
            virtualServices:
              - label: vna
                address: 10.1.1.10
                ports: [104]
                scheduler: %s
                persistence: %s
                realServers:
                  - {label: a, address: 10.1.1.21}
                  - {label: b, address: 10.1.1.22}
                  - {label: c, address: 10.1.1.23}
            """
                .formatted(scheduler, persistence));
    return new VirtualServiceRuntime(
        config.virtualServices().get(0), Map.of(), new ServiceCounters(), sticks);
  }

  /** One connection of {@code client}: the server chosen, connected (which records) and closed. */
  private static String connect(
      VirtualServiceRuntime s, InetAddress client, Set<RealServerState> tried) {
    Choice c = s.choose(client, 104, tried);
    assertThat(c.kind()).isEqualTo(Choice.Kind.SERVER);
    s.connected(client, c.backend());
    c.backend().state().release();
    return c.backend().label();
  }

  private static String connect(VirtualServiceRuntime s, InetAddress client) {
    return connect(s, client, Set.of());
  }

  private static InetAddress client(int i) throws Exception {
    return InetAddress.getByAddress(new byte[] {10, 2, (byte) (i >> 8), (byte) i});
  }

  private static void admin(VirtualServiceRuntime s, String server, AdminState state) {
    s.backend(server).orElseThrow().state().setAdminState(state);
  }

  @Test
  void withoutPersistenceRoundRobinMovesAClient() throws Exception {
    VirtualServiceRuntime s = service("weighted-round-robin", "{mode: none}");
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      seen.add(connect(s, client(1)));
    }
    assertThat(seen).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(sticks.size()).isZero();
  }

  @Test
  void sourceIpKeepsEachOfManyClientsOnItsServer() throws Exception {
    VirtualServiceRuntime s = service("weighted-round-robin", "{mode: source-ip, timeout: 60m}");
    Map<Integer, String> first = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      first.put(i, connect(s, client(i)));
    }
    assertThat(first.values()).contains("a", "b", "c");
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 1000; i++) {
        assertThat(connect(s, client(i))).isEqualTo(first.get(i));
      }
    }
    assertThat(sticks.list("vna", System.currentTimeMillis())).hasSize(1000);
  }

  @Test
  void aNetmaskMakesASubnetShareItsServer() throws Exception {
    VirtualServiceRuntime s =
        service("weighted-round-robin", "{mode: source-ip, timeout: 60m, netmask: 16}");
    String server = connect(s, client(1));
    for (int i = 2; i < 50; i++) {
      assertThat(connect(s, client(i))).isEqualTo(server);
    }
    assertThat(sticks.list("vna", System.currentTimeMillis())).containsOnlyKeys("10.2.0.0/16");
  }

  @Test
  void aDrainingServerKeepsItsPersistentClientsAHaltedOneLosesThemAndTheEntryIsRewritten()
      throws Exception {
    VirtualServiceRuntime s = service("weighted-round-robin", "{mode: source-ip, timeout: 60m}");
    InetAddress c = client(7);
    String home = connect(s, c);

    admin(s, home, AdminState.DRAIN);
    assertThat(connect(s, c)).as("draining: the persistent client continues").isEqualTo(home);
    assertThat(connect(s, client(8))).as("draining: no new client").isNotEqualTo(home);

    admin(s, home, AdminState.HALT);
    String moved = connect(s, c);
    assertThat(moved).isNotEqualTo(home);
    admin(s, home, AdminState.ONLINE);
    assertThat(connect(s, c)).as("the entry was rewritten to the new server").isEqualTo(moved);
  }

  @Test
  void aDownServerLosesItsPersistentClients() throws Exception {
    VirtualServiceRuntime s = service("weighted-round-robin", "{mode: source-ip, timeout: 60m}");
    InetAddress c = client(9);
    String home = connect(s, c);
    s.backend(home).orElseThrow().state().setHealthy(false);
    assertThat(connect(s, c)).isNotEqualTo(home);
  }

  /**
   * GE CCW's VIPs 5 and 10-15: scheduler first with last-successful. The first server fails, the
   * second takes over and keeps the traffic after the first returns, until the table is cleared or
   * the second is halted.
   */
  @Test
  void lastSuccessfulWalksTheGeSequence() throws Exception {
    VirtualServiceRuntime s = service("first", "{mode: last-successful, timeout: 720m}");
    assertThat(connect(s, client(1))).isEqualTo("a");
    assertThat(connect(s, client(2))).as("one entry for the whole service").isEqualTo("a");

    // a stops answering: the proxy's connect fails and it asks again without it.
    RealServerState a = s.backend("a").orElseThrow().state();
    assertThat(connect(s, client(3), Set.of(a))).isEqualTo("b");
    assertThat(sticks.lookup("vna", StickKeys.LAST_SUCCESSFUL, System.currentTimeMillis()))
        .map(e -> e.server())
        .contains("b");

    // a is back: everyone stays on b.
    for (int i = 0; i < 10; i++) {
      assertThat(connect(s, client(100 + i))).isEqualTo("b");
    }

    // Clearing the table sends traffic back to the first server.
    assertThat(sticks.clear("vna")).isEqualTo(1);
    assertThat(connect(s, client(4))).isEqualTo("a");

    // Back on b by failure, then b is halted: a takes over and the entry follows.
    connect(s, client(5), Set.of(a));
    assertThat(connect(s, client(6))).isEqualTo("b");
    admin(s, "b", AdminState.HALT);
    assertThat(connect(s, client(7))).isEqualTo("a");
    admin(s, "b", AdminState.ONLINE);
    assertThat(connect(s, client(8))).isEqualTo("a");
  }

  @Test
  void anEntryNamingAServerThatNoLongerExistsIsIgnored() throws Exception {
    VirtualServiceRuntime s = service("first", "{mode: last-successful, timeout: 720m}");
    sticks.record(
        "vna",
        StickKeys.LAST_SUCCESSFUL,
        "gone",
        java.time.Duration.ofMinutes(5),
        System.currentTimeMillis());
    assertThat(connect(s, client(1))).isEqualTo("a");
  }
}
