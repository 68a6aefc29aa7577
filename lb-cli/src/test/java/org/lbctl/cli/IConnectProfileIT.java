package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/profiles/iconnect.yaml in the namespace lab (192.168.200.0/24 → 10.99.0.0/24, the
 * clusters' 192.168.100.0/24 → 10.99.1.0/24; the check interval scaled from 30 s to 300 ms, its 10
 * failures kept): the primary cluster behind the node as its gateway takes all seven ports; Halt,
 * and 10 failed all-ports checks, send every port to the secondary cluster, which has no route back
 * through the node and is reached only because the fallback is masqueraded.
 */
class IConnectProfileIT {
  private static final String VIP = "10.99.0.100";
  private static final List<Integer> PORTS =
      List.of(12000, 12100, 12200, 12300, 12301, 12950, 12800);

  @TempDir Path dir;
  private LoneNodeLab lab;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = LoneNodeLab.nodeHosts();
    hosts.put("primary", "10.99.1.110/24");
    hosts.put("secondary", "10.99.1.120/24");
    lab = LoneNodeLab.create(dir, hosts);
    // A lone node: the VIP and the clusters' gateway the pair would float, by hand.
    lab.ok("lb", "ip", "addr", "add", "10.99.1.254/24", "dev", "eth0");
    lab.ok("lb", "ip", "addr", "add", VIP + "/32", "dev", "eth0");
    // The primary routes through the node; the secondary does not know the clients' network.
    lab.ok("primary", "ip", "route", "add", "default", "via", "10.99.1.254");
    StringBuilder listen = new StringBuilder(Integer.toString(PORTS.get(0)));
    PORTS.subList(1, PORTS.size()).forEach(p -> listen.append("; listen ").append(p));
    lab.nginx("primary", listen.toString(), PORTS.get(0), "http://10.99.1.110:12000");
    lab.nginx("secondary", listen.toString(), PORTS.get(0), "http://10.99.1.120:12000");
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  private static String profile() throws Exception {
    return Files.readString(Path.of("..", "deploy", "profiles", "iconnect.yaml"))
        .replace("192.168.200.", "10.99.0.")
        .replace("192.168.100.", "10.99.1.")
        .replace("interval: 30s, timeout: 10s", "interval: 300ms, timeout: 250ms");
  }

  /** Which cluster answers each of the seven ports. */
  private List<String> answers() throws Exception {
    return PORTS.stream()
        .map(
            p -> {
              try {
                List<String> a = lab.curl("http://" + VIP + ":" + p + "/");
                return a.isEmpty() ? "nobody" : a.get(0);
              } catch (Exception e) {
                return "error " + e;
              }
            })
        .toList();
  }

  private static List<String> all(String who) {
    return PORTS.stream().map(p -> who).toList();
  }

  @Test
  void haltAndTenFailedChecksSendAllSevenPortsToTheSecondaryCluster() throws Exception {
    lab.startNode(profile());
    await().atMost(Duration.ofSeconds(30)).until(() -> answers().equals(all("primary")));
    lab.awaitManagement();
    // NAT: the primary sees the client itself.
    assertThat(lab.server("primary").lastClient()).isEqualTo("10.99.0.10");

    // Manual failover: Halt.
    assertThat(lab.lbctl("rip", "halt", "VNA", "PrimaryCluster").exit()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers().equals(all("secondary")));
    // Masqueraded: the secondary answered the node, the only address it can reach.
    assertThat(lab.server("secondary").lastClient()).isEqualTo("10.99.1.254");
    assertThat(lab.lbctl("rip", "online", "VNA", "PrimaryCluster").exit()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> answers().equals(all("primary")));

    // Automatic failover: one of the seven ports stops answering on the primary.
    lab.ok("primary", "nft", "add", "table", "inet", "cut");
    lab.ok("primary", "nft", "add chain inet cut in { type filter hook input priority 0; }");
    long cut = System.nanoTime();
    lab.ok("primary", "nft", "add rule inet cut in tcp dport 12301 reject with tcp reset");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> lab.vip("VNA").path("state").asText().equals("fallback"));
    long tookMs = (System.nanoTime() - cut) / 1_000_000;
    System.out.println(
        "iconnect: all-ports check failed 10 times in a row after " + tookMs + " ms");
    // Ten checks 300 ms apart: not before the tenth.
    assertThat(tookMs).isGreaterThanOrEqualTo(9 * 300);
    assertThat(lab.log()).contains("(10 failed in a row)");
    assertThat(answers()).isEqualTo(all("secondary"));
  }
}
