package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layer 4 DR VIPs on one node, as the GE CCW and Insignia guides set them up: client, node and real
 * servers on one link, the real servers holding the VIP on loopback with the ARP problem solved.
 * The node forwards the client's packets; the real servers answer the client directly. Real peers:
 * nginx and curl for HTTP, dcmtk's storescp, echoscu and storescu for DICOM.
 */
class L4DrIT {
  private static final String VIP = "10.99.0.100";
  @TempDir Path dir;
  private LoneNodeLab lab;
  private final List<Process> storescps = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("lb", "10.99.0.11/24");
    hosts.put("rs1", "10.99.0.21/24");
    hosts.put("rs2", "10.99.0.22/24");
    lab = LoneNodeLab.create(dir, hosts);
    lab.ok("lb", "ip", "addr", "add", VIP + "/32", "dev", "eth0");
    for (String rs : List.of("rs1", "rs2")) {
      DrRealServer.prepare(lab.lab(), rs, VIP);
      String ip = rs.equals("rs1") ? "10.99.0.21" : "10.99.0.22";
      lab.nginx(rs, "80; listen [::]:80", 80, "http://" + ip);
      Path received = Files.createDirectories(dir.resolve("received-" + rs));
      List<String> argv = new ArrayList<>(lab.lab().execPrefix(rs));
      argv.addAll(List.of("storescp", "-od", received.toString(), "104"));
      storescps.add(
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("storescp-" + rs + ".log").toFile())
              .start());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> lab.lab().exec("lb", "echoscu", ip, "104").ok());
    }
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : storescps) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    lab.close();
  }

  private void startNode() throws Exception {
    lab.startNode(
        """
        virtualServices:
          - label: web
            address: %1$s
            ports: [80]
            layer: 4
            mode: dr
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 0}
              - {label: rs2, address: 10.99.0.22, port: 0}
          - label: dicom
            address: %1$s
            ports: [104]
            layer: 4
            mode: dr
            persistence: {mode: source-ip, timeout: 300s}
            healthCheck: {type: dicom-echo, interval: 1s, timeout: 900ms}
            realServers:
              - {label: ds1, address: 10.99.0.21, port: 0}
              - {label: ds2, address: 10.99.0.22, port: 0}
        """
            .formatted(VIP));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> lab.log().contains("layer 4: rules applied"));
    lab.awaitManagement();
  }

  private JsonNode vip(String label) throws Exception {
    return lab.vip(label);
  }

  /** Counts, on the client, the packets from the VIP by the MAC they came from. */
  private void countRepliesOnTheClient() throws Exception {
    Path rules = dir.resolve("client.nft");
    Files.writeString(
        rules,
        """
        table netdev seen {
          counter from_lb {}
          counter from_rs1 {}
          counter from_rs2 {}
          chain in {
            type filter hook ingress device "eth0" priority 0; policy accept;
            ip saddr %s ether saddr %s counter name "from_lb"
            ip saddr %s ether saddr %s counter name "from_rs1"
            ip saddr %s ether saddr %s counter name "from_rs2"
          }
        }
        """
            .formatted(
                VIP, lab.lab().mac("lb"), VIP, lab.lab().mac("rs1"), VIP, lab.lab().mac("rs2")));
    lab.ok("client", "nft", "-f", rules.toString());
  }

  private long packetsSeen(String counter) throws Exception {
    String out =
        lab.lab().exec("client", "nft", "list", "counter", "netdev", "seen", counter).output();
    var m = java.util.regex.Pattern.compile("packets (\\d+)").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    return Long.parseLong(m.group(1));
  }

  @Test
  void theRealServersAnswerTheClientDirectlyAndDicomGoesThrough() throws Exception {
    startNode();
    countRepliesOnTheClient();
    List<String> answers = lab.curl("http://" + VIP + "/?[1-100]");
    assertThat(answers).hasSize(100).containsOnly("rs1", "rs2").contains("rs1", "rs2");
    assertThat(lab.server("rs1").lastClient()).isEqualTo("10.99.0.10");

    // Every reply came from a real server's MAC; none from the node's.
    long fromRs = packetsSeen("from_rs1") + packetsSeen("from_rs2");
    System.out.println(
        "layer 4 dr: 100 connections; replies from the real servers' MACs: "
            + fromRs
            + ", from the node's: "
            + packetsSeen("from_lb"));
    assertThat(fromRs).isGreaterThanOrEqualTo(300);
    assertThat(packetsSeen("from_lb")).isZero();
    // The node saw the requests only.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              JsonNode v = vip("web");
              assertThat(v.path("totalConnections").asLong()).isEqualTo(100);
              assertThat(v.path("bytesIn").asLong()).isGreaterThan(100 * 100);
              assertThat(v.path("bytesOut").asLong()).isZero();
            });

    // A real DICOM association through the VIP, and ten studies stored over it.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> vip("dicom").path("state").asText().equals("up"));
    var echo = lab.lab().exec("client", "echoscu", "-v", VIP, "104");
    assertThat(echo.ok()).as(echo.describe()).isTrue();
    List<String> files = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      Path dump = dir.resolve("study" + i + ".dump");
      Files.writeString(
          dump,
          """
          (0008,0016) UI =SecondaryCaptureImageStorage
          (0008,0018) UI [2.25.77%1$d]
          (0008,0060) CS [OT]
          (0010,0010) PN [Test^Patient%1$d]
          (0010,0020) LO [P%1$d]
          (0020,000d) UI [2.25.78%1$d]
          (0020,000e) UI [2.25.79%1$d]
          """
              .formatted(i));
      Path dcm = dir.resolve("study" + i + ".dcm");
      lab.ok("client", "dump2dcm", dump.toString(), dcm.toString());
      files.add(dcm.toString());
    }
    List<String> store = new ArrayList<>(List.of("storescu", VIP, "104"));
    store.addAll(files);
    var sent = lab.lab().exec(Duration.ofSeconds(60), "client", store.toArray(String[]::new));
    assertThat(sent.ok()).as(sent.describe()).isTrue();
    int rs1 = received("rs1");
    int rs2 = received("rs2");
    System.out.println("layer 4 dr: storescu 10 files -> rs1 " + rs1 + ", rs2 " + rs2);
    // Source-IP persistence: one client, one server.
    assertThat(List.of(rs1, rs2)).containsExactlyInAnyOrder(10, 0);
  }

  @Test
  void ipv6ClientsAreAnsweredDirectlyThroughAnIpv6DrVip() throws Exception {
    for (String[] a :
        new String[][] {
          {"client", "fd97::10/64", "eth0"},
          {"lb", "fd97::11/64", "eth0"},
          {"lb", "fd97::100/128", "eth0"},
          {"rs1", "fd97::21/64", "eth0"},
          // The real server holds the VIP on loopback; IPv6 neighbour discovery answers only for
          // the receiving interface's addresses, so there is no ARP problem to solve.
          {"rs1", "fd97::100/128", "lo"}
        }) {
      lab.ok(a[0], "ip", "addr", "add", a[1], "dev", a[2], "nodad");
    }
    lab.startNode(
        """
        virtualServices:
          - label: six
            address: "fd97::100"
            ports: [80]
            layer: 4
            mode: dr
            realServers: [{label: rs1, address: "fd97::21", port: 0}]
        """);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(lab.curl("http://[fd97::100]/")).containsExactly("rs1"));
    assertThat(lab.server("rs1").lastClient()).isEqualTo("fd97::10");
    lab.awaitManagement();
    // Only the client's half crossed the node.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(vip("six").path("bytesIn").asLong()).isPositive();
              assertThat(vip("six").path("bytesOut").asLong()).isZero();
            });
  }

  private int received(String rs) {
    File[] f = dir.resolve("received-" + rs).toFile().listFiles();
    return f == null ? 0 : f.length;
  }
}
