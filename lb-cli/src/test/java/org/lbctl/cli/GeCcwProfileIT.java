package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.TestPki;

/**
 * deploy/profiles/ge-ccw.yaml in the namespace lab (192.32.40.0/24 and 192.32.43.0/24 →
 * 10.99.0.0/24, the certificate paths → a test PKI, VIP 5's check every 300 ms instead of 10 s)
 * against two CCW application servers: nginx over TLS wanting a client certificate from the mTLS
 * family on 443 and 44300, with the health page. The guide's behaviours: TLS terminated with mTLS
 * and re-encrypted with the node's client certificate; CCW_NOTIFICATION on the first server, then
 * the second after the first fails, and still the second after the first returns, until its stick
 * table is cleared; an interface VIP with no server refuses rather than falling back.
 */
class GeCcwProfileIT {
  @TempDir Path dir;
  private LoneNodeLab lab;
  private TestPki pki;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = LoneNodeLab.nodeHosts();
    hosts.put("ccw1", "10.99.0.207/24");
    hosts.put("ccw2", "10.99.0.208/24");
    lab = LoneNodeLab.create(dir, hosts);
    lab.ok("lb", "ip", "addr", "add", "10.99.0.219/32", "dev", "eth0");
    lab.ok("lb", "ip", "addr", "add", "10.99.0.231/32", "dev", "eth0");
    pki = GeCcwLab.pki(dir);
    for (String host : List.of("ccw1", "ccw2")) {
      String ip = host.equals("ccw1") ? "10.99.0.207" : "10.99.0.208";
      lab.nginxWith(host, GeCcwLab.server(pki, host), 443, "https://" + ip + "/");
    }
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  /** One request from the client with its certificate; the answer, or "" when refused. */
  private String get(int port, boolean withCertificate) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of("curl", "-s", "--max-time", "3", "--cacert", pki.cert("ca").toString()));
    if (withCertificate) {
      argv.addAll(
          List.of("--cert", pki.cert("client").toString(), "--key", pki.key("client").toString()));
    }
    argv.add("https://10.99.0.219:" + port + "/");
    var r = lab.lab().exec(Duration.ofSeconds(10), "client", argv.toArray(String[]::new));
    return r.ok() ? r.output().strip() : "";
  }

  @Test
  void mtlsReencryptionAndLastSuccessfulUntilTheStickTableIsCleared() throws Exception {
    lab.startNode(GeCcwLab.profile(pki));
    lab.awaitManagement();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                lab.vip("CCW_WEB_443").path("state").asText().equals("up")
                    && lab.vip("CCW_NOTIFICATION").path("state").asText().equals("up"));

    // VIP 1: a client of the mTLS family gets through; the CCW server sees the node's certificate.
    assertThat(get(443, true)).matches("ccw[12] client CN=lb-dual");
    assertThat(get(443, false)).isEmpty();

    // VIP 5: first + last successful: the first server, whatever the client.
    assertThat(get(44300, true)).startsWith("ccw1 ");
    assertThat(get(44300, true)).startsWith("ccw1 ");
    // The first server fails its health check: the second takes over.
    lab.ok("ccw1", "ip", "link", "set", "eth0", "down");
    await().atMost(Duration.ofSeconds(30)).until(() -> get(44300, true).startsWith("ccw2 "));
    // It returns and passes its checks again: clients stay on the second (last successful).
    lab.ok("ccw1", "ip", "link", "set", "eth0", "up");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                lab.vip("CCW_NOTIFICATION")
                    .path("realServers")
                    .get(0)
                    .path("health")
                    .asText()
                    .equals("up"));
    for (int i = 0; i < 3; i++) {
      assertThat(get(44300, true)).startsWith("ccw2 ");
    }
    CliRun cleared = lab.lbctl("stick", "clear", "CCW_NOTIFICATION");
    assertThat(cleared.exit()).as(cleared.err()).isZero();
    assertThat(get(44300, true)).startsWith("ccw1 ");

    // VIP 12 has no server here and its fallback is disabled: refused, not sent anywhere.
    assertThat(lab.vip("EMR_INBOUND").path("state").asText()).isEqualTo("down");
    var refused =
        lab.lab()
            .exec(
                Duration.ofSeconds(10),
                "client",
                "curl",
                "-s",
                "--max-time",
                "2",
                "http://10.99.0.219:4001/");
    assertThat(refused.ok()).isFalse();
  }
}
