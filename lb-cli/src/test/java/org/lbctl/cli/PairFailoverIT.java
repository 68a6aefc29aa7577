package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import org.lbctl.core.testing.NamespaceLab;
import org.lbctl.core.testing.Nginx;

/**
 * Two lbctl nodes as a pair in a namespace lab: client, lb1, lb2, rs1, rs2 on one bridge. The nodes
 * are the packaged jar, run as processes inside their namespaces; the real servers are nginx; the
 * client is curl.
 */
class PairFailoverIT {
  private static final String VIP = "10.99.0.100";
  private static final Path JAR = Path.of("target", "lbctl.jar").toAbsolutePath();

  @TempDir Path dir;
  private NamespaceLab lab;
  private final Map<String, Process> nodes = new LinkedHashMap<>();
  private final List<Nginx> servers = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("lb1", "10.99.0.11/24");
    hosts.put("lb2", "10.99.0.12/24");
    hosts.put("rs1", "10.99.0.21/24");
    hosts.put("rs2", "10.99.0.22/24");
    lab = NamespaceLab.create(hosts);
    Path secret = dir.resolve("pair.secret");
    Files.writeString(secret, "5e1f0c9a7b3d42e8a6c4f2e0d8b6a4c2\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    // Each node has its own copy of the replicated configuration, as on two machines.
    Files.writeString(dir.resolve("lb1-lbctl.yaml"), config("weighted-round-robin"));
    Files.copy(dir.resolve("lb1-lbctl.yaml"), dir.resolve("lb2-lbctl.yaml"));
    nodeFile("lb1", "primary", "10.99.0.11", "10.99.0.12");
    nodeFile("lb2", "secondary", "10.99.0.12", "10.99.0.11");
    nginx("rs1");
    nginx("rs2");
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
    for (Process p : nodes.values()) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // Keep the nodes' logs as test artifacts.
    Path keep =
        Files.createDirectories(
            Path.of("target", "pair-logs", test.getTestMethod().orElseThrow().getName()));
    for (String host : List.of("lb1", "lb2")) {
      Files.writeString(keep.resolve(host + ".log"), log(host));
    }
    servers.forEach(Nginx::close);
    lab.close();
  }

  private void nodeFile(String host, String role, String bind, String peer) throws IOException {
    Files.writeString(
        dir.resolve(host + ".yaml"),
        """
        configFile: %1$s-lbctl.yaml
        managementSocket: %1$s.sock
        ioThreads: 1
        pair:
          role: %2$s
          bind: %3$s
          peer: %4$s
          secretFile: pair.secret
          pingTargets: [10.99.0.10]
        """
            .formatted(host, role, bind, peer));
  }

  private void nginx(String host) throws IOException {
    String ip = host.equals("rs1") ? "10.99.0.21" : "10.99.0.22";
    servers.add(
        Nginx.start(
            host,
            dir,
            lab.execPrefix(host),
            "8080",
            8080,
            () ->
                lab.exec("client", "curl", "-sf", "--max-time", "1", "http://" + ip + ":8080/")
                    .ok()));
  }

  private Process startNode(String host) throws IOException {
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                lab.ns(host),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run",
                "--node",
                dir.resolve(host + ".yaml").toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(host + ".log").toFile()))
            .start();
    nodes.put(host, p);
    return p;
  }

  private JsonNode pair(String host) throws IOException {
    ApiClient.Answer a = new ApiClient(dir.resolve(host + ".sock")).call("GET", "/v1/status", null);
    return a.body().path("pair");
  }

  private String pairState(String host) {
    try {
      return pair(host).path("state").asText();
    } catch (IOException e) {
      return "down";
    }
  }

  private boolean holdsVip(String host) throws IOException {
    return lab.exec(host, "ip", "-o", "addr", "show", "dev", "eth0").output().contains(VIP + "/32");
  }

  /** One request from the client; the answering real server, or "" when it failed. */
  private String curl() throws IOException {
    var r = lab.exec("client", "curl", "-s", "--max-time", "0.5", "http://" + VIP + "/");
    return r.ok() ? r.output().strip() : "";
  }

  private String log(String host) throws IOException {
    Path f = dir.resolve(host + ".log");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  private void startPair() throws Exception {
    startNode("lb1");
    await().atMost(Duration.ofSeconds(30)).until(() -> pairState("lb1").equals("active"));
    startNode("lb2");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(pairState("lb2")).isEqualTo("passive");
              assertThat(pair("lb1").path("peer").path("state").asText()).isEqualTo("passive");
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> curl().matches("rs[12]"));
  }

  @Test
  void theSecondaryTakesOverWhenThePrimaryIsKilledAndTheRestartedPrimaryStaysPassive()
      throws Exception {
    startPair();
    assertThat(holdsVip("lb1")).isTrue();
    assertThat(holdsVip("lb2")).isFalse();

    long killed = System.nanoTime();
    nodes.get("lb1").destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> curl().matches("rs[12]"));
    long takeoverMs = (System.nanoTime() - killed) / 1_000_000;
    System.out.println(
        "pair: kill -9 of the active node -> VIP served by the peer after " + takeoverMs + " ms");
    assertThat(pairState("lb2")).isEqualTo("active");
    assertThat(holdsVip("lb2")).isTrue();
    assertThat(log("lb2")).contains("pair: secondary is now ACTIVE: the peer was lost");

    // A killed process leaves its address configured; the restarted node removes it and,
    // without failback, stays passive.
    assertThat(holdsVip("lb1")).as("left behind by kill -9").isTrue();
    startNode("lb1");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(pairState("lb1")).isEqualTo("passive");
              assertThat(pair("lb1").path("peer").path("state").asText()).isEqualTo("active");
              assertThat(holdsVip("lb1")).isFalse();
            });
    assertThat(pairState("lb2")).isEqualTo("active");
    assertThat(curl()).matches("rs[12]");
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
              assertThat(pairState("lb2")).isEqualTo("active");
              assertThat(holdsVip("lb2")).isTrue();
              assertThat(holdsVip("lb1")).isFalse();
            });
    await().atMost(Duration.ofSeconds(5)).until(() -> curl().matches("rs[12]"));
    // The primary does not take the role back by itself.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(4))
        .until(() -> pairState("lb1").equals("passive"));

    // Failover on the passive node is refused with a reason.
    var refused = Lbctl.commandLine();
    java.io.StringWriter err = new java.io.StringWriter();
    refused.setErr(new java.io.PrintWriter(err));
    assertThat(refused.execute("failover", "--socket", dir.resolve("lb1.sock").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("this node is passive; run failover on the active node");
  }

  /** Runs lbctl against a node's socket; the exit code, then what it printed. */
  private CliRun lbctl(String host, String... args) {
    var cl = Lbctl.commandLine();
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--socket";
    all[args.length + 1] = dir.resolve(host + ".sock").toString();
    int exit = cl.execute(all);
    return new CliRun(exit, out.toString(), err.toString());
  }

  private record CliRun(int exit, String out, String err) {}

  private long configVersion(String host) throws IOException {
    return new ApiClient(dir.resolve(host + ".sock"))
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
    CliRun reload = lbctl("lb1", "reload");
    assertThat(reload.exit()).as(reload.err()).isZero();
    assertThat(reload.out()).contains("configuration reloaded: now v2");
    await().atMost(Duration.ofSeconds(10)).until(() -> configVersion("lb2") == 2);
    assertThat(Files.readString(dir.resolve("lb2-lbctl.yaml")))
        .contains("weighted-least-connection");
    assertThat(Files.readString(dir.resolve("lb2-lbctl.yaml.version"))).contains("\"version\" : 2");

    // An edit on the secondary is refused with where to make it; nothing changes.
    CliRun refused = lbctl("lb2", "reload");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err())
        .contains("this node is the secondary: edit the configuration on the primary (10.99.0.11)");
    assertThat(lbctl("lb2", "promote").err()).contains("the primary (10.99.0.11) is in the pair");
    CliRun status = lbctl("lb2", "status");
    assertThat(status.out())
        .contains("peer 10.99.0.11")
        .contains("configuration in sync")
        .containsPattern("this node +secondary +passive +v2 ");

    // The primary dies; the secondary is promoted and takes an edit.
    nodes.get("lb1").destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> pairState("lb2").equals("active"));
    CliRun promote = lbctl("lb2", "promote");
    assertThat(promote.exit()).as(promote.err()).isZero();
    Files.writeString(dir.resolve("lb2-lbctl.yaml"), config("first"));
    assertThat(lbctl("lb2", "reload").out()).contains("now v3");

    // The primary comes back on its v2 file and takes v3 from the secondary.
    startNode("lb1");
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(configVersion("lb1")).isEqualTo(3);
              assertThat(pair("lb2").path("promoted").asBoolean()).isFalse();
            });
    assertThat(Files.readString(dir.resolve("lb1-lbctl.yaml"))).contains("scheduler: first");
    assertThat(log("lb1")).contains("now running configuration v3");
    assertThat(curl()).matches("rs[12]");
  }

  @Test
  void aFailoverDrillMovesTheRoleAndMeasuresTheTakeover() throws Exception {
    startPair();

    // As an operator would: lbctl on the active node itself.
    var drill =
        lab.exec(
            "lb1",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            JAR.toString(),
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
    assertThat(holdsVip("lb2")).isTrue();
    assertThat(holdsVip("lb1")).isFalse();

    // Again on the now passive node: refused before anything moves.
    var refused = lbctl("lb1", "failover", "--drill");
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("this node is passive; run the drill on the active node");
    assertThat(pairState("lb2")).isEqualTo("active");
  }
}
