package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.TestPki;

/**
 * deploy/profiles/epic.yaml in the namespace lab (192.168.85.0/24 → 10.99.0.0/24): Hyperspace and
 * MyChart over TLS passed through to nginx on their servers, each client kept on one server for 60
 * minutes; plain HTTP on port 80 of the same addresses answered with a 301 to https.
 */
class EpicProfileIT {
  @TempDir Path dir;
  private LoneNodeLab lab;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = LoneNodeLab.nodeHosts();
    hosts.put("Hyperspace_Srv_1", "10.99.0.200/24");
    hosts.put("Hyperspace_Srv_2", "10.99.0.201/24");
    hosts.put("MyChart_Srv_1", "10.99.0.210/24");
    hosts.put("MyChart_Srv_2", "10.99.0.211/24");
    lab = LoneNodeLab.create(dir, hosts);
    lab.ok("lb", "ip", "addr", "add", "10.99.0.150/32", "dev", "eth0");
    lab.ok("lb", "ip", "addr", "add", "10.99.0.151/32", "dev", "eth0");
    TestPki pki = TestPki.create(dir.resolve("pki"));
    for (Map.Entry<String, String> h : hosts.entrySet()) {
      if (h.getKey().contains("_Srv_")) {
        String ip = h.getValue().substring(0, h.getValue().indexOf('/'));
        lab.nginx(
            h.getKey(),
            "443 ssl; ssl_certificate %s; ssl_certificate_key %s"
                .formatted(pki.cert("server"), pki.key("server")),
            443,
            "https://" + ip);
      }
    }
  }

  @AfterEach
  void stop() {
    lab.close();
  }

  private List<String> client(String... args) throws Exception {
    List<String> argv =
        new java.util.ArrayList<>(List.of("curl", "--max-time", "2", "-H", "Connection: close"));
    argv.addAll(List.of(args));
    return lab.lab()
        .exec(Duration.ofSeconds(30), "client", argv.toArray(String[]::new))
        .output()
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty())
        .toList();
  }

  @Test
  void tlsPassesThroughToOneServerForAnHourAndPort80RedirectsToHttps() throws Exception {
    lab.startNode(
        Files.readString(Path.of("..", "deploy", "profiles", "epic.yaml"))
            .replace("192.168.85.", "10.99.0."));
    lab.awaitManagement();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                lab.vip("Hyperspace").path("state").asText().equals("up")
                    && lab.vip("MyChart").path("state").asText().equals("up"));

    for (String vip : List.of("Hyperspace", "MyChart")) {
      String address = vip.equals("Hyperspace") ? "10.99.0.150" : "10.99.0.151";
      // Five connections, TLS with the server's own certificate: one server answers them all.
      List<String> answers = client("-sk", "https://" + address + "/?[1-5]");
      assertThat(answers).hasSize(5).containsOnly(answers.get(0));
      assertThat(answers.get(0)).startsWith(vip + "_Srv_");
      var sticks = new ObjectMapper().readTree(lab.lbctl("stick", "show", vip, "-o", "json").out());
      var entry = sticks.path("entries").get(0);
      assertThat(entry.path("key").asText()).isEqualTo("10.99.0.10");
      assertThat(entry.path("server").asText()).isEqualTo(answers.get(0));
      Duration left =
          Duration.between(Instant.now(), Instant.parse(entry.path("expiresAt").asText()));
      assertThat(left).isBetween(Duration.ofMinutes(59), Duration.ofMinutes(60));

      // Port 80 of the same address: every request sent to https, host and path kept.
      List<String> head =
          client(
              "-s",
              "-o",
              "/dev/null",
              "-D",
              "-",
              "http://" + address + "/MyChart/Authentication/Login?mode=stdfile");
      assertThat(head.get(0)).startsWith("HTTP/1.1 301");
      assertThat(head)
          .anySatisfy(
              h ->
                  assertThat(h)
                      .isEqualToIgnoringCase(
                          "location: https://"
                              + address
                              + "/MyChart/Authentication/Login?mode=stdfile"));
      List<String> named =
          client(
              "-s",
              "-o",
              "/dev/null",
              "-D",
              "-",
              "-H",
              "Host: epic.example.org",
              "http://" + address + "/");
      assertThat(named)
          .anySatisfy(
              h -> assertThat(h).isEqualToIgnoringCase("location: https://epic.example.org/"));
    }
  }
}
