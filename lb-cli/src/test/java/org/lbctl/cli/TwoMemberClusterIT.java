package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pair as a cluster of two: lb1 and lb2 with one VIP group preferring lb1, and a gateway (gw,
 * 10.99.0.1) as their ping target, which breaks their tie as a pair's ping targets do.
 */
@Tag("timed") // what it asserts depends on time: it runs alone (lb-cli/pom.xml)
class TwoMemberClusterIT {
  private static final String VIP = "10.99.0.100";

  @TempDir Path dir;
  private PairLab lab;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("gw", "10.99.0.1/24");
    hosts.put("lb1", "10.99.0.11/24");
    hosts.put("lb2", "10.99.0.12/24");
    hosts.put("rs1", "10.99.0.21/24");
    hosts.put("rs2", "10.99.0.22/24");
    lab = PairLab.withServers(dir, hosts);
    Path secret = dir.resolve("cluster.secret");
    Files.writeString(secret, "5a1f3a5b7d9e2f4a6b8c0d2e4f6a8b0c\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    for (int i = 1; i <= 2; i++) {
      Files.writeString(
          dir.resolve("lb" + i + "-lbctl.yaml"),
          """
          virtualServices:
            - label: web
              address: %s
              ports: [80]
              timeouts: {connect: 1s}
              realServers:
                - {label: rs1, address: 10.99.0.21, port: 8080}
                - {label: rs2, address: 10.99.0.22, port: 8080}
          groups:
            - {name: web, virtualServices: [web], preference: [lb1, lb2]}
          """
              .formatted(VIP));
      Files.writeString(
          dir.resolve("lb" + i + ".yaml"),
          """
          configFile: lb%1$d-lbctl.yaml
          managementSocket: lb%1$d.sock
          ioThreads: 1
          management: {listen: none}
          cluster:
            name: lb%1$d
            secretFile: cluster.secret
            pingTargets: [10.99.0.1]
            members:
              - {name: lb1, address: 10.99.0.11}
              - {name: lb2, address: 10.99.0.12}
          """
              .formatted(i));
    }
  }

  @AfterEach
  void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
    lab.close("two-member-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  private boolean holds(String host) throws IOException {
    return lab.lab()
        .exec(host, "ip", "-o", "addr", "show", "dev", "eth0")
        .output()
        .contains(VIP + "/32");
  }

  /** lb1 first, holding the group (without failback the first holder keeps it), then lb2. */
  private void startBoth() throws Exception {
    lab.start("lb1", dir.resolve("lb1.yaml"));
    await().atMost(Duration.ofSeconds(30)).until(() -> holds("lb1"));
    lab.start("lb2", dir.resolve("lb2.yaml"));
    await()
        .atMost(Duration.ofSeconds(40))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(holds("lb1")).isTrue();
              assertThat(holds("lb2")).isFalse();
              assertThat(lab.curl()).matches("rs[12]");
              assertThat(
                      lab.status("lb2")
                          .path("cluster")
                          .path("members")
                          .get(0)
                          .path("inView")
                          .asBoolean())
                  .isTrue();
            });
  }

  /**
   * Milliseconds from the first log line containing {@code from} to the first after it with {@code
   * to}.
   */
  private static long millisBetween(String log, String from, String to) {
    java.time.Instant start = null;
    for (String line : log.split("\n")) {
      if (start == null && line.contains(from)) {
        start = java.time.Instant.parse(line.substring(0, line.indexOf(' ')));
      } else if (start != null && line.contains(to)) {
        return java.time.Duration.between(
                start, java.time.Instant.parse(line.substring(0, line.indexOf(' '))))
            .toMillis();
      }
    }
    throw new AssertionError("no '" + from + "' then '" + to + "' in the log");
  }

  /** A pair's configuration: no groups, so every floating address moves as one implicit group. */
  private void withoutGroups() throws IOException {
    for (int i = 1; i <= 2; i++) {
      Path file = dir.resolve("lb" + i + "-lbctl.yaml");
      String c = Files.readString(file);
      Files.writeString(file, c.substring(0, c.indexOf("groups:")));
    }
  }

  @Test
  void theSurvivorOfTwoTakesTheGroupAtOnceWhenItsPeersProcessDies() throws Exception {
    withoutGroups();
    startBoth();
    assertThat(lab.status("lb1").path("cluster").path("groups").toString())
        .isEqualTo("[{\"group\":\"all\",\"holder\":\"lb1\"}]");
    // Alone at its start, lb1 waited 2.5 s from when it began looking (its fence up, its
    // controller made, then a second of discovery) for a peer it had never heard.
    assertThat(millisBetween(lab.log("lb1"), "floating IPs answer only while", "lb1 took "))
        .isGreaterThanOrEqualTo(2400);
    assertThat(lab.status("lb2").path("cluster").path("quorum").asBoolean()).isTrue();
    long killed = System.nanoTime();
    lab.kill("lb1");
    lab.lab().exec("lb1", "ip", "addr", "flush", "dev", "eth0", "label", "eth0:lb");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> holds("lb2") && lab.curl().matches("rs[12]"));
    long tookMs = (System.nanoTime() - killed) / 1_000_000;
    assertThat(tookMs).as("the VIP answered again after %d ms", tookMs).isLessThan(1500);
    assertThat(lab.log("lb2"))
        .contains("lb1 left the view while heard; its host says its process is gone");
    assertThat(lab.status("lb2").path("cluster").path("quorum").asBoolean()).isTrue();
  }

  @Test
  void aSurvivorThatCannotReachTheNetworkTakesNothingUntilItCan() throws Exception {
    startBoth();
    // lb2 loses its way to the gateway; then lb1 dies.
    lab.lab().exec("lb2", "ip", "route", "add", "prohibit", "10.99.0.1/32");
    lab.kill("lb1");
    lab.lab().exec("lb1", "ip", "addr", "flush", "dev", "eth0", "label", "eth0:lb");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !lab.status("lb2").path("cluster").path("quorum").asBoolean());
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !holds("lb2"));
    // The way back: lb2 reaches the gateway, and takes the group.
    lab.lab().exec("lb2", "ip", "route", "del", "prohibit", "10.99.0.1/32");
    await().atMost(Duration.ofSeconds(5)).until(() -> holds("lb2") && lab.curl().matches("rs[12]"));
  }
}
