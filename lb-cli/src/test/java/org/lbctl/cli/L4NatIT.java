package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.Nginx;

/**
 * A layer 4 NAT VIP on one node, as the iConnect guide sets it up: the real servers on their own
 * subnet with the node as their default gateway, the VIP on two ports mapped to the same ports on
 * the servers, a fallback server for both ports. The node is the packaged jar; the kernel forwards.
 */
class L4NatIT {
  private static final String VIP = "10.99.0.100";
  @TempDir Path dir;
  private LoneNodeLab lab;
  // Every answer from the real servers so far, to check the kernel's counts against.
  private final List<String> answered = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("lb", "10.99.0.11/24");
    hosts.put("rs1", "10.99.1.21/24");
    hosts.put("rs2", "10.99.1.22/24");
    hosts.put("fb", "10.99.1.30/24");
    lab = LoneNodeLab.create(dir, hosts);
    lab.ok("lb", "ip", "addr", "add", "10.99.1.1/24", "dev", "eth0");
    lab.ok("lb", "ip", "addr", "add", VIP + "/32", "dev", "eth0");
    for (String host : List.of("rs1", "rs2", "fb")) {
      lab.ok(host, "ip", "route", "add", "default", "via", "10.99.1.1");
      lab.nginx(host, "80; listen 81; listen [::]:80", 80, "http://" + ip(host));
    }
  }

  private static String ip(String host) {
    return switch (host) {
      case "rs1" -> "10.99.1.21";
      case "rs2" -> "10.99.1.22";
      default -> "10.99.1.30";
    };
  }

  @AfterEach
  void stop() throws Exception {
    lab.close();
  }

  private Nginx server(String name) {
    return lab.server(name);
  }

  /** {@code n} requests from the client, each on a new connection; the answering servers. */
  private List<String> curl(int port, int n) throws Exception {
    return lab.curl("http://" + VIP + ":" + port + "/?[1-" + n + "]");
  }

  private long answeredBy(String server) {
    return answered.stream().filter(server::equals).count();
  }

  private void startNode(String config) throws Exception {
    lab.startNode(config);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              List<String> first = curl(80, 1);
              answered.addAll(first);
              return !first.isEmpty();
            });
    lab.awaitManagement();
  }

  private CliRun lbctl(String... args) {
    return lab.lbctl(args);
  }

  @Test
  void flowsSpreadByWeightTheServersSeeTheClientAndHaltSendsEveryPortToTheFallback()
      throws Exception {
    startNode(
        """
        virtualServices:
          - label: vna
            address: %1$s
            ports: [80, 81]
            layer: 4
            mode: nat
            healthCheck: {type: connect, interval: 500ms, timeout: 400ms}
            fallback: {address: 10.99.1.30, port: 0}
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 0, weight: 75}
              - {label: rs2, address: 10.99.1.22, port: 0, weight: 25}
          - label: snat
            address: %1$s
            ports: [82]
            layer: 4
            mode: snat
            realServers: [{label: fb, address: 10.99.1.30, port: 80}]
        """
            .formatted(VIP));
    // SNAT: the server sees this node's address, not the client's.
    assertThat(curl(82, 1)).containsExactly("fb");
    assertThat(server("fb").lastClient()).isEqualTo("10.99.1.1");
    assertThat(lab.lab().exec("lb", "cat", "/proc/sys/net/ipv4/ip_forward").output().strip())
        .isEqualTo("1");

    List<String> answers = curl(80, 400);
    answered.addAll(answers);
    assertThat(answers).hasSize(400);
    long rs1 = answers.stream().filter("rs1"::equals).count();
    long rs2 = answers.stream().filter("rs2"::equals).count();
    System.out.println("layer 4 nat, weights 75/25, 400 connections: rs1 " + rs1 + ", rs2 " + rs2);
    assertThat(rs1 + rs2).isEqualTo(400);
    // 193 of 257 slots are rs1's (75.1 %); 400 flows: mean 300, 3 sigma = 26.
    assertThat(rs1).isBetween(274L, 326L);
    // NAT, not a proxy: the server sees the client, and answered through the node.
    assertThat(server("rs1").lastClient()).isEqualTo("10.99.0.10");
    List<String> on81 = curl(81, 20);
    answered.addAll(on81);
    assertThat(on81).containsOnly("rs1", "rs2").hasSize(20);

    // The kernel's counters reach the status: the VIP's flows and bytes both ways, per server.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              JsonNode vna = lab.vip("vna");
              assertThat(vna.path("totalConnections").asLong()).isEqualTo(answered.size());
              assertThat(vna.path("bytesIn").asLong()).isGreaterThan(420 * 60);
              assertThat(vna.path("bytesOut").asLong()).isGreaterThan(420 * 200);
              JsonNode rs1Status = vna.path("realServers").get(0);
              assertThat(rs1Status.path("totalConnections").asLong()).isEqualTo(answeredBy("rs1"));
              assertThat(rs1Status.path("bytesOut").asLong()).isGreaterThan(rs1 * 200);
            });

    assertThat(lbctl("rip", "halt", "vna", "rs1").exit()).isZero();
    assertThat(lbctl("rip", "halt", "vna", "rs2").exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(curl(80, 5)).containsOnly("fb").hasSize(5));
    assertThat(curl(81, 5)).containsOnly("fb").hasSize(5);
    assertThat(server("fb").lastClient()).isEqualTo("10.99.0.10");
    assertThat(lab.log()).contains("vna: FALLBACK takes all new flows");

    // rs2 back online: the fallback gives way on every port.
    assertThat(lbctl("rip", "online", "vna", "rs2").exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(curl(81, 5)).containsOnly("rs2"));

    // A server whose health check fails takes no new flows.
    assertThat(lbctl("rip", "online", "vna", "rs1").exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(curl(80, 40)).contains("rs1", "rs2"));
    server("rs2").close();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lab.log().contains("real server rs2 up -> DOWN"));
    // The kernel's rules follow the health change a few milliseconds later (their own thread).
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(curl(80, 40)).containsOnly("rs1").hasSize(40));

    // A clean stop takes the table with it.
    assertThat(lab.lab().exec("lb", "nft", "list", "table", "inet", "lbctl_l4").ok()).isTrue();
    assertThat(lab.stopNode()).isTrue();
    assertThat(lab.lab().exec("lb", "nft", "list", "table", "inet", "lbctl_l4").ok()).isFalse();
    lab.log().lines().filter(l -> l.contains("layer 4")).forEach(System.out::println);
  }

  @Test
  void sourceIpPersistenceKeepsAClientWhereItWasMovedUntilTheTableIsCleared() throws Exception {
    startNode(
        """
        virtualServices:
          - label: pacs
            address: %s
            ports: [80]
            layer: 4
            mode: nat
            persistence: {mode: source-ip, timeout: 60m}
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 80}
              - {label: rs2, address: 10.99.1.22, port: 80}
        """
            .formatted(VIP));
    List<String> first = curl(80, 5);
    assertThat(first).hasSize(5).containsOnly(first.get(0));
    String home = first.get(0);
    String other = home.equals("rs1") ? "rs2" : "rs1";
    CliRun shown = lbctl("stick", "show", "pacs");
    assertThat(shown.out()).as(shown.err()).contains("10.99.0.10", home);

    // Its server halted: the client is balanced to the other one, and stays there after the
    // first one is back (as the appliance's persistence does).
    assertThat(lbctl("rip", "halt", "pacs", home).exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(curl(80, 5)).hasSize(5).containsOnly(other));
    assertThat(lbctl("rip", "online", "pacs", home).exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> lab.log().split("pacs: 2 real server\\(s\\) take new flows", -1).length > 2);
    assertThat(curl(80, 5)).hasSize(5).containsOnly(other);
    assertThat(lbctl("stick", "show", "pacs").out()).contains("10.99.0.10", other);

    // Cleared: the slots decide again.
    assertThat(lbctl("stick", "clear", "pacs").exit()).isZero();
    assertThat(curl(80, 5)).hasSize(5).containsOnly(home);
  }

  @Test
  void ipv6ClientsReachAnIpv6NatVip() throws Exception {
    for (String[] a :
        new String[][] {
          {"client", "fd98::10/64"},
          {"lb", "fd98::11/64"},
          {"lb", "fd98::100/128"},
          {"lb", "fd98:1::1/64"},
          {"rs1", "fd98:1::21/64"}
        }) {
      lab.ok(a[0], "ip", "addr", "add", a[1], "dev", "eth0", "nodad");
    }
    lab.ok("rs1", "ip", "-6", "route", "add", "default", "via", "fd98:1::1");
    lab.startNode(
        """
        virtualServices:
          - label: six
            address: "fd98::100"
            ports: [80]
            layer: 4
            mode: nat
            persistence: {mode: source-ip, timeout: 10m}
            realServers: [{label: rs1, address: "fd98:1::21", port: 80}]
        """);
    // Without the node dropping its ICMPv6 redirects the server answered the client directly after
    // the first reply and no connection completed (IPv6 has no send_redirects knob).
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(lab.curl("http://[fd98::100]/")).containsExactly("rs1"));
    assertThat(lab.curl("http://[fd98::100]/")).containsExactly("rs1");
    assertThat(server("rs1").lastClient()).isEqualTo("fd98::10");
    lab.awaitManagement();
    assertThat(lbctl("stick", "show", "six").out()).contains("fd98::10", "rs1");
  }
}
