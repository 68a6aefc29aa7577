package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.NamespaceLab;

/**
 * Long-lived connections through layer 4 VIPs of a pair survive a kill -9 of the active node: a
 * flow the surviving node has no state for is hashed to the server the other chose (same slots,
 * same seed), and one whose server differs from the hash (the server set changed since it began) is
 * sent where the replicated flow map says. Twenty connections each exchange a line every 100 ms
 * across the kill.
 */
@Tag("timed") // what it asserts depends on time: it runs alone (lb-cli/pom.xml)
class L4FailoverIT {
  private static final String VIP = PairLab.VIP;
  @TempDir Path dir;
  private PairLab pair;
  private NamespaceLab lab;
  private final List<Process> peers = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    pair = PairLab.create(dir);
    lab = pair.lab();
  }

  @AfterEach
  void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
    for (Process p : peers) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    pair.close("pair-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  private void ok(String host, String... argv) throws Exception {
    var r = lab.exec(host, argv);
    assertThat(r.ok()).as(r.describe()).isTrue();
  }

  /** The real servers move to 10.99.1.0/24, their gateway the pair's floating IP 10.99.1.1. */
  private void natServersBehindTheGateway() throws Exception {
    for (String rs : List.of("rs1", "rs2")) {
      String old = rs.equals("rs1") ? "10.99.0.21" : "10.99.0.22";
      String now = rs.equals("rs1") ? "10.99.1.21" : "10.99.1.22";
      ok(rs, "ip", "addr", "del", old + "/24", "dev", "eth0");
      ok(rs, "ip", "addr", "add", now + "/24", "dev", "eth0");
      ok(rs, "ip", "route", "add", "default", "via", "10.99.1.1");
    }
  }

  private void echoServers() throws Exception {
    servers("serve", "9000");
  }

  /** Servers that speak unasked, on port 9100: "rs1 tick K" every 100 ms. */
  private void tickingServers() throws Exception {
    servers("ticks", "9100");
  }

  private void servers(String kind, String port) throws Exception {
    for (String rs : List.of("rs1", "rs2")) {
      Path log = dir.resolve(kind + "-" + rs + ".log");
      peers.add(EchoPeer.start(lab, rs, log, kind, rs, port));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Files.exists(log) && Files.readString(log).contains("listening"));
    }
  }

  /** 20 connections across a kill -9 of lb1; their report lines. */
  private List<String> connectionsAcrossAKill() throws Exception {
    return connectionsAcrossAKill(20);
  }

  /** {@code n} EchoPeer connections of {@code kind} from the client, all up. */
  private Process connect(Path log, String kind, String port, int n, int seconds) throws Exception {
    Process p =
        EchoPeer.start(
            lab, "client", log, kind, VIP, port, Integer.toString(n), Integer.toString(seconds));
    peers.add(p);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(log) && Files.readString(log).contains("connected " + n));
    return p;
  }

  /**
   * 20 connections across a kill -9 of lb1, once {@code flows} open flows reached lb2; their report
   * lines.
   */
  private List<String> connectionsAcrossAKill(int flows) throws Exception {
    Path log = dir.resolve("clients.log");
    Process clients = connect(log, "clients", "9000", 20, 6);
    // Some exchanges before the kill, and the 20 flows exported (once a second) and replicated to
    // lb2: a flow younger than that is not yet known there, by design.
    await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2)).until(() -> true);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> pair.status("lb2").path("stickTable").path("entries").asLong() >= flows);
    // kill -9 leaves lb1's kernel forwarding with its rules; a node that dies takes its link
    // with it: only then must every packet go through lb2.
    long killed = System.nanoTime();
    pair.kill("lb1");
    ok("lb1", "ip", "link", "set", "eth0", "down");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> pair.curl().matches("rs[12]"));
    System.out.println(
        "layer 4 failover: VIP answered through lb2 "
            + (System.nanoTime() - killed) / 1_000_000
            + " ms after the kill");
    assertThat(clients.waitFor(30, TimeUnit.SECONDS)).isTrue();
    // The flows went on through lb2.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(echoBytesThrough("lb2")).isGreaterThan(20 * 100));
    List<String> lines = Files.readString(log).lines().filter(l -> l.startsWith("conn=")).toList();
    lines.forEach(l -> System.out.println("layer 4 failover: " + l));
    return lines;
  }

  private long echoBytesThrough(String host) throws Exception {
    for (var v : pair.status(host).path("virtualServices")) {
      if (v.path("label").asText().equals("echo")) {
        return v.path("bytesIn").asLong();
      }
    }
    throw new AssertionError("no echo VIP on " + host);
  }

  private static void assertAllSurvived(List<String> lines) {
    assertThat(lines).hasSize(20);
    assertThat(lines)
        .allSatisfy(
            l ->
                assertThat(l)
                    .contains("failed=false")
                    // One server per connection: none was moved.
                    .matches(".* servers=rs[12] .*"));
    // Before and after the kill (6 s at one line per 100 ms, a stall of one RTO or so).
    assertThat(lines)
        .allSatisfy(
            l ->
                assertThat(Long.parseLong(l.replaceAll(".*exchanges=(\\d+).*", "$1")))
                    .isGreaterThan(30));
  }

  @Test
  void natConnectionsSurviveAKillOfTheActiveNode() throws Exception {
    natServersBehindTheGateway();
    echoServers();
    tickingServers();
    pair.configurePair(
        """
        floatingIps: [10.99.1.1/24]
        virtualServices:
          - label: portal
            address: %1$s
            ports: [80]
            layer: 4
            mode: nat
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 8080}
              - {label: rs2, address: 10.99.1.22, port: 8080}
          - label: echo
            address: %1$s
            ports: [9000]
            layer: 4
            mode: nat
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 0}
              - {label: rs2, address: 10.99.1.22, port: 0}
          - label: ticks
            address: %1$s
            ports: [9100]
            layer: 4
            mode: nat
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 0}
              - {label: rs2, address: 10.99.1.22, port: 0}
        """
            .formatted(VIP));
    pair.startPair();
    // Flows whose server speaks first after the kill: the first packet lb2 sees of each is the
    // server's, and conntrack takes the flow up from that end.
    Path ticks = dir.resolve("listeners.log");
    Process listeners = connect(ticks, "listen", "9100", 10, 9);
    assertAllSurvived(connectionsAcrossAKill(30));
    assertThat(pair.log("lb2")).contains("layer 4: rules applied");
    assertThat(listeners.waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> heard =
        Files.readString(ticks).lines().filter(l -> l.startsWith("conn=")).toList();
    heard.forEach(l -> System.out.println("layer 4 failover, server first: " + l));
    assertThat(heard).hasSize(10);
    assertThat(heard)
        .allSatisfy(
            l ->
                assertThat(l)
                    .contains("failed=false")
                    .matches(".* servers=rs[12] .*")
                    .matches(".* exchanges=([4-9]\\d|\\d{3,}) .*"));
  }

  @Test
  void drConnectionsSurviveAKillOfTheActiveNode() throws Exception {
    for (String rs : List.of("rs1", "rs2")) {
      DrRealServer.prepare(lab, rs, VIP);
    }
    echoServers();
    pair.configurePair(
        """
        virtualServices:
          - label: portal
            address: %1$s
            ports: [80]
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 8080}
              - {label: rs2, address: 10.99.0.22, port: 8080}
          - label: echo
            address: %1$s
            ports: [9000]
            layer: 4
            mode: dr
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 0}
              - {label: rs2, address: 10.99.0.22, port: 0}
        """
            .formatted(VIP));
    pair.startPair();
    assertAllSurvived(connectionsAcrossAKill());
  }

  private long occurrences(String host, String text) throws Exception {
    String log = pair.log(host);
    return (log.length() - log.replace(text, "").length()) / text.length();
  }

  /**
   * 20 connections opened while rs2 is halted, all on rs1; rs2 back online, so that the hash would
   * now send about half of them to rs2; then lb1 killed. Their report lines.
   */
  private List<String> flowsOffTheHashAcrossAKill() throws Exception {
    String two = "echo: 2 real server(s) take new flows";
    await().atMost(Duration.ofSeconds(20)).until(() -> occurrences("lb1", two) >= 1);
    assertThat(pair.lbctl("lb1", "rip", "halt", "echo", "rs2").exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> pair.log("lb1").contains("echo: 1 real server(s) take new flows"));
    Path log = dir.resolve("clients.log");
    Process clients = EchoPeer.start(lab, "client", log, "clients", VIP, "9000", "20", "12");
    peers.add(clients);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(log) && Files.readString(log).contains("connected 20"));
    long before = occurrences("lb1", two);
    assertThat(pair.lbctl("lb1", "rip", "online", "echo", "rs2").exit()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> occurrences("lb1", two) > before);
    // Every flow reached lb2 through the replicated table.
    await().atMost(Duration.ofSeconds(10)).until(() -> replicatedEntries("lb2") >= 20);
    pair.kill("lb1");
    ok("lb1", "ip", "link", "set", "eth0", "down");
    assertThat(clients.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(pair.log("lb2")).containsPattern("and 2\\d open flows loaded from the replicated");
    List<String> lines = Files.readString(log).lines().filter(l -> l.startsWith("conn=")).toList();
    lines.forEach(l -> System.out.println("layer 4 flows: " + l));
    assertThat(lines).hasSize(20);
    // None moved to rs2, where the hash sends about half of them now.
    assertThat(lines)
        .allSatisfy(l -> assertThat(l).contains("failed=false").contains(" servers=rs1 "));
    assertThat(lines)
        .allSatisfy(
            l ->
                assertThat(Long.parseLong(l.replaceAll(".*exchanges=(\\d+).*", "$1")))
                    .isGreaterThan(60));
    return lines;
  }

  @Test
  void natFlowsStayOnTheirServerThroughAKillEvenWhenTheHashWouldMoveThem() throws Exception {
    natServersBehindTheGateway();
    echoServers();
    pair.configurePair(
        """
        floatingIps: [10.99.1.1/24]
        virtualServices:
          - label: portal
            address: %1$s
            ports: [80]
            layer: 4
            mode: nat
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 8080}
              - {label: rs2, address: 10.99.1.22, port: 8080}
          - label: echo
            address: %1$s
            ports: [9000]
            layer: 4
            mode: nat
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 0}
              - {label: rs2, address: 10.99.1.22, port: 0}
        """
            .formatted(VIP));
    pair.startPair();
    flowsOffTheHashAcrossAKill();
  }

  @Test
  void drFlowsStayOnTheirServerThroughAKillEvenWhenTheHashWouldMoveThem() throws Exception {
    for (String rs : List.of("rs1", "rs2")) {
      DrRealServer.prepare(lab, rs, VIP);
    }
    echoServers();
    pair.configurePair(
        """
        virtualServices:
          - label: portal
            address: %1$s
            ports: [80]
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 8080}
              - {label: rs2, address: 10.99.0.22, port: 8080}
          - label: echo
            address: %1$s
            ports: [9000]
            layer: 4
            mode: dr
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 0}
              - {label: rs2, address: 10.99.0.22, port: 0}
        """
            .formatted(VIP));
    pair.startPair();
    flowsOffTheHashAcrossAKill();
  }

  /** The real server that answers {@code source} on the portal VIP, or "" when none did. */
  private String curlFrom(String source) throws Exception {
    var r =
        lab.exec(
            "client",
            "curl",
            "-s",
            "--max-time",
            "1",
            "--interface",
            source,
            "http://" + VIP + "/");
    return r.ok() ? r.output().strip() : "";
  }

  private long replicatedEntries(String host) throws Exception {
    return pair.status(host).path("stickTable").path("entries").asLong();
  }

  @Test
  void persistentNatClientsKeepTheirServerThroughAKillEvenWhenTheHashWouldMoveThem()
      throws Exception {
    natServersBehindTheGateway();
    List<String> clients = new ArrayList<>();
    for (int i = 51; i <= 66; i++) {
      clients.add("10.99.0." + i);
      ok("client", "ip", "addr", "add", "10.99.0." + i + "/24", "dev", "eth0");
    }
    pair.configurePair(
        """
        floatingIps: [10.99.1.1/24]
        virtualServices:
          - label: portal
            address: %1$s
            ports: [80]
            layer: 4
            mode: nat
            persistence: {mode: source-ip, timeout: 1h}
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 8080}
              - {label: rs2, address: 10.99.1.22, port: 8080}
        """
            .formatted(VIP));
    pair.startPair();
    await().atMost(Duration.ofSeconds(20)).until(() -> curlFrom(clients.get(0)).matches("rs[12]"));
    java.util.Map<String, String> hashed = new java.util.LinkedHashMap<>();
    for (String c : clients) {
      hashed.put(c, curlFrom(c));
    }
    assertThat(hashed.values()).as("the hash spreads the clients").contains("rs1", "rs2");

    // rs1 halted: its clients are balanced to rs2 and stick there when rs1 comes back, so their
    // entries now differ from what the hash gives.
    assertThat(pair.lbctl("lb1", "rip", "halt", "portal", "rs1").exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (String c : clients) {
                assertThat(curlFrom(c)).as(c).isEqualTo("rs2");
              }
            });
    assertThat(pair.lbctl("lb1", "rip", "online", "portal", "rs1").exit()).isZero();
    for (String c : clients) {
      assertThat(curlFrom(c)).as("%s sticks to rs2 with rs1 back", c).isEqualTo("rs2");
    }
    // The entries reach the peer through the replicated stick table.
    await().atMost(Duration.ofSeconds(10)).until(() -> replicatedEntries("lb2") >= clients.size());

    pair.kill("lb1");
    ok("lb1", "ip", "link", "set", "eth0", "down");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> curlFrom(clients.get(0)).matches("rs[12]"));
    for (String c : clients) {
      assertThat(curlFrom(c)).as("%s through lb2", c).isEqualTo("rs2");
    }
    assertThat(pair.log("lb2"))
        .containsPattern("layer 4: \\d+ persistent clients and \\d+ open flows loaded from the");
  }
}
