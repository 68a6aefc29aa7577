package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two lbctl nodes as a pair in a namespace lab: client, lb1, lb2, rs1, rs2 on one bridge. The nodes
 * are the packaged jar, run as processes inside their namespaces; the real servers are nginx; the
 * client is curl.
 */
@Tag("timed") // what it asserts depends on time: it runs alone (lb-cli/pom.xml)
class PairFailoverIT {
  private static final String VIP = PairLab.VIP;

  @TempDir Path dir;
  private PairLab lab;

  @BeforeEach
  void lab() throws Exception {
    lab = PairLab.create(dir);
    lab.configurePair(config("weighted-round-robin"));
  }

  private static String config(String scheduler) {
    return """
        virtualServices:
          - label: portal
            address: %s
            ports: [80]
            scheduler: %s
            timeouts: {connect: 1s}
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 8080}
              - {label: rs2, address: 10.99.0.22, port: 8080}
        """
        .formatted(VIP, scheduler);
  }

  @AfterEach
  void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
    lab.close("pair-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  private Process startNode(String host) throws IOException {
    return lab.start(host, dir.resolve(host + ".yaml"));
  }

  private void startPair() throws Exception {
    lab.startPair();
  }

  @Test
  void theSecondaryTakesOverWhenThePrimaryIsKilledAndTheRestartedPrimaryStaysPassive()
      throws Exception {
    startPair();
    assertThat(lab.holdsVip("lb1")).isTrue();
    assertThat(lab.holdsVip("lb2")).isFalse();

    long takeoverMs = lab.killAndAwaitTakeover("lb1");
    System.out.println(
        "pair: kill -9 of the active node -> VIP served by the peer after " + takeoverMs + " ms");
    assertThat(lab.pairState("lb2")).isEqualTo("active");
    assertThat(lab.holdsVip("lb2")).isTrue();
    assertThat(lab.log("lb2"))
        .containsPattern("pair: secondary is now ACTIVE at term \\d+: the peer was lost");
    // The status says how long after the peer's last word it took over.
    String reason = lab.pair("lb2").path("reason").asText();
    assertThat(reason).matches("the peer was lost \\(took over \\d+ ms after its last word\\)");
    long afterLastWord = Long.parseLong(reason.replaceAll("\\D+", " ").trim().split(" ")[0]);
    System.out.println("pair: took over " + afterLastWord + " ms after the peer's last word");
    assertThat(afterLastWord).isBetween(1L, 3000L);

    // A killed process leaves its address configured; the restarted node removes it and,
    // without failback, stays passive.
    assertThat(lab.holdsVip("lb1")).as("left behind by kill -9").isTrue();
    startNode("lb1");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(lab.pairState("lb1")).isEqualTo("passive");
              assertThat(lab.pair("lb1").path("peer").path("state").asText()).isEqualTo("active");
              assertThat(lab.holdsVip("lb1")).isFalse();
            });
    assertThat(lab.pairState("lb2")).isEqualTo("active");
    assertThat(lab.curl()).matches("rs[12]");
    assertThat(takeoverMs).isLessThan(3000);
  }

  @Test
  void aManualFailoverMovesTheRoleAndTheAddress() throws Exception {
    startPair();

    var cl = Lbctl.commandLine();
    java.io.StringWriter out = new java.io.StringWriter();
    cl.setOut(new java.io.PrintWriter(out));
    int exit = cl.execute("failover", "--socket", dir.resolve("lb1.sock").toString());

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("primary is now passive");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(lab.pairState("lb2")).isEqualTo("active");
              assertThat(lab.holdsVip("lb2")).isTrue();
              assertThat(lab.holdsVip("lb1")).isFalse();
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> lab.curl().matches("rs[12]"));
    // The primary does not take the role back by itself.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(4))
        .until(() -> lab.pairState("lb1").equals("passive"));

    // Failover on the passive node is refused with a reason.
    var refused = Lbctl.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    refused.setErr(new java.io.PrintWriter(err));
    assertThat(refused.execute("failover", "--socket", dir.resolve("lb1.sock").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("this node is passive; run failover on the active node");
  }

  private long configVersion(String host) throws IOException {
    return new UnixSocketClient(dir.resolve(host + ".sock"))
        .call("GET", "/v1/status", null)
        .body()
        .path("configVersion")
        .asLong();
  }

  @Test
  void anEditReachesThePeerAndAReturningPrimaryTakesThePromotedSecondarysVersion()
      throws Exception {
    startPair();
    assertThat(configVersion("lb1")).isEqualTo(1);
    assertThat(configVersion("lb2")).isEqualTo(1);

    // Edit on the primary: the secondary runs it and records it in its own file.
    Files.writeString(dir.resolve("lb1-lbctl.yaml"), config("weighted-least-connection"));
    CliRun reload = lab.lbctl("lb1", "reload");
    assertThat(reload.exit()).as(reload.err()).isZero();
    assertThat(reload.out()).contains("configuration reloaded: now v2");
    await().atMost(Duration.ofSeconds(10)).until(() -> configVersion("lb2") == 2);
    assertThat(Files.readString(dir.resolve("lb2-lbctl.yaml")))
        .contains("weighted-least-connection");
    assertThat(Files.readString(dir.resolve("lb2-lbctl.yaml.version"))).contains("\"version\" : 2");

    // An edit on the secondary is refused with where to make it; nothing changes.
    CliRun refused = lab.lbctl("lb2", "reload");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err())
        .contains("this node is the secondary: edit the configuration on the primary (10.99.0.11)");
    assertThat(lab.lbctl("lb2", "promote").err())
        .contains("the primary (10.99.0.11) is in the pair");
    CliRun status = lab.lbctl("lb2", "status");
    assertThat(status.out())
        .contains("peer 10.99.0.11")
        .contains("configuration in sync")
        .containsPattern("this node +secondary +passive +v2 ");

    // The primary dies; the secondary is promoted and takes an edit.
    lab.kill("lb1");
    await().atMost(Duration.ofSeconds(10)).until(() -> lab.pairState("lb2").equals("active"));
    CliRun promote = lab.lbctl("lb2", "promote");
    assertThat(promote.exit()).as(promote.err()).isZero();
    Files.writeString(dir.resolve("lb2-lbctl.yaml"), config("first"));
    assertThat(lab.lbctl("lb2", "reload").out()).contains("now v3");

    // The primary comes back on its v2 file and takes v3 from the secondary.
    startNode("lb1");
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(configVersion("lb1")).isEqualTo(3);
              assertThat(lab.pair("lb2").path("promoted").asBoolean()).isFalse();
            });
    assertThat(Files.readString(dir.resolve("lb1-lbctl.yaml"))).contains("scheduler: first");
    assertThat(lab.log("lb1")).contains("now running configuration v3");
    assertThat(lab.curl()).matches("rs[12]");
  }

  @Test
  void aFailoverDrillMovesTheRoleAndMeasuresTheTakeover() throws Exception {
    startPair();

    // As an operator would: lbctl on the active node itself.
    var drill =
        lab.lab()
            .exec(
                "lb1",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JarNode.JAR.toString(),
                "failover",
                "--drill",
                "--socket",
                dir.resolve("lb1.sock").toString());

    System.out.println("pair: " + drill.output().strip().replace("\n", "\n  "));
    assertThat(drill.ok()).as(drill.output()).isTrue();
    assertThat(drill.output())
        .contains("failover drill: this node is now passive")
        .containsPattern(VIP + ":80 +answered through the peer after \\d+ ms")
        .contains("peer 10.99.0.12 (secondary) is active and holds [\"" + VIP + "/32\"]")
        .containsPattern("drill: vips=1 answered=true takeover_ms=\\d+");
    assertThat(lab.holdsVip("lb2")).isTrue();
    assertThat(lab.holdsVip("lb1")).isFalse();

    // Again on the now passive node: refused before anything moves.
    var refused = lab.lbctl("lb1", "failover", "--drill");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("this node is passive; run the drill on the active node");
    assertThat(lab.pairState("lb2")).isEqualTo("active");
  }

  @Test
  void aSecondaryIsNotPromotedWhileThePrimaryIsOnlyCutOffUnlessTheOperatorForcesIt()
      throws Exception {
    startPair();
    // lb1's link goes down: it may be alive behind the cut, taking edits of its own.
    var cut = lab.lab().onSwitch("ip", "link", "set", lab.lab().switchPort("lb1"), "down");
    assertThat(cut.ok()).as(cut.output()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> lab.pairState("lb2").equals("active"));

    CliRun refused = lab.lbctl("lb2", "promote");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err())
        .contains("the primary went silent")
        .contains("without leaving the pair")
        .contains("--force");
    assertThat(lab.pair("lb2").path("promoted").asBoolean()).isFalse();

    CliRun forced = lab.lbctl("lb2", "promote", "--force");
    assertThat(forced.exit()).as(forced.err()).isZero();
    assertThat(lab.pair("lb2").path("promoted").asBoolean()).isTrue();
  }
}
