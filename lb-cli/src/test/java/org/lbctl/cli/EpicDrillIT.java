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
import org.lbctl.core.testing.TestPki;

/**
 * The failover drill for deploy/profiles/epic.yaml on a pair: 40 Hyperspace workstations kept on
 * their servers for 60 minutes by source-IP persistence, replicated; lb1 loses power. Counted:
 * workstations on another server afterwards (0); the port-80 redirect answered by lb2.
 */
class EpicDrillIT {
  private static final int WORKSTATIONS = 40;

  @TempDir Path dir;
  private PairLab lab;
  private Workstations workstations;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = PairLab.pairHosts();
    hosts.put("hs1", "10.99.0.200/24");
    hosts.put("hs2", "10.99.0.201/24");
    lab = PairLab.create(dir, hosts);
    workstations = Workstations.add(lab, WORKSTATIONS);
    TestPki pki = TestPki.create(dir.resolve("pki"));
    for (String host : List.of("hs1", "hs2")) {
      lab.nginxIn(
          host,
          "listen 443 ssl; ssl_certificate %s; ssl_certificate_key %s; location / { return 200 \"%s\\n\"; }"
              .formatted(pki.cert("server"), pki.key("server"), host),
          443,
          "https://" + (host.equals("hs1") ? "10.99.0.200" : "10.99.0.201") + "/");
    }
    lab.configurePair(
        Files.readString(Path.of("..", "deploy", "profiles", "epic.yaml"))
            .replace("192.168.85.", "10.99.0."));
  }

  @AfterEach
  void stop() throws Exception {
    lab.close("pair-logs/epicDrill");
  }

  @Test
  void aPowerCutMovesNoHyperspaceWorkstation() throws Exception {
    lab.startNodes();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                lab.status("lb1")
                    .path("virtualServices")
                    .get(0)
                    .path("state")
                    .asText()
                    .equals("up"));
    List<String> before = workstations.answers("https://10.99.0.150/");
    assertThat(before).doesNotContain("").contains("hs1", "hs2");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lab.lbctl("lb2", "stick", "show", "Hyperspace")
                        .out()
                        .lines()
                        .filter(l -> l.contains("10.99.2."))
                        .count()
                    == WORKSTATIONS);

    long takeoverMs = Hl7Feed.cutLb1(lab);
    List<String> after = workstations.answers("https://10.99.0.150/");
    long moved = Workstations.moved(before, after);
    var redirect =
        lab.lab()
            .exec(
                "client",
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{redirect_url}",
                "http://10.99.0.150/Hyperspace/");
    System.out.printf(
        "epic drill: lb2 active %d ms after the cut; %d of %d workstations moved; redirect %s%n",
        takeoverMs, moved, WORKSTATIONS, redirect.output().strip());
    assertThat(moved).isZero();
    assertThat(after).doesNotContain("");
    assertThat(redirect.output().strip()).isEqualTo("301 https://10.99.0.150/Hyperspace/");
  }
}
