package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistence through a failover, in the pair's namespace lab: a thousand clients with source-IP
 * persistence, and a last-successful service walked through the GE sequence, keep their real
 * servers when the active node is killed.
 */
class StickFailoverIT {
  private static final int CLIENTS = 1000;
  private static final String LAST_VIP = "10.99.0.101";

  @TempDir Path dir;
  private PairLab lab;

  @BeforeEach
  void lab() throws Exception {
    lab = PairLab.create(dir);
    lab.configurePair(
        """
        virtualServices:
          - label: portal
            address: %s
            ports: [80]
            scheduler: weighted-round-robin
            persistence: {mode: source-ip, timeout: 60m}
            timeouts: {connect: 1s}
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 8080}
              - {label: rs2, address: 10.99.0.22, port: 8080}
          - label: ccw
            address: %s
            ports: [80]
            scheduler: first
            persistence: {mode: last-successful, timeout: 720m}
            timeouts: {connect: 1s}
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 8080}
              - {label: rs2, address: 10.99.0.22, port: 8080}
        """
            .formatted(PairLab.VIP, LAST_VIP));
    // The clients: 10.99.4.1 - 10.99.7.250 on the client host, routed there by both nodes.
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < CLIENTS; i++) {
      batch.append("addr add ").append(client(i)).append("/32 dev eth0\n");
    }
    assertThat(lab.lab().exec("client", "sh", "-c", "printf '" + batch + "' | ip -batch -").ok())
        .isTrue();
    for (String lb : new String[] {"lb1", "lb2"}) {
      assertThat(lab.lab().exec(lb, "ip", "route", "add", "10.99.4.0/22", "via", "10.99.0.10").ok())
          .isTrue();
    }
    Files.writeString(
        dir.resolve("sweep.sh"),
        """
        # usage: sweep.sh [shuf]: the clients in order, or in a random order
        for i in $(seq 0 %d | ${1:-cat}); do
          ip=10.99.$((4 + i / 250)).$((1 + i %% 250))
          printf '%%s %%s\\n' "$ip" "$(curl -s --max-time 1 --interface "$ip" http://%s/)"
        done
        """
            .formatted(CLIENTS - 1, PairLab.VIP));
  }

  @AfterEach
  void stop(TestInfo test) throws Exception {
    lab.close("pair-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  private static String client(int i) {
    return "10.99." + (4 + i / 250) + "." + (1 + i % 250);
  }

  /**
   * Every client connects once, in {@code order}: the real server each landed on ("" when it
   * failed).
   */
  private Map<String, String> sweep(String order) throws IOException {
    var r =
        lab.lab()
            .exec(
                Duration.ofSeconds(120),
                "client",
                "bash",
                dir.resolve("sweep.sh").toString(),
                order);
    assertThat(r.ok()).as(r.output()).isTrue();
    Map<String, String> landed = new LinkedHashMap<>();
    r.output()
        .lines()
        .forEach(
            l -> {
              String[] f = l.split(" ", 2);
              landed.put(f[0], f.length > 1 ? f[1].strip() : "");
            });
    return landed;
  }

  private String curlLast() throws IOException {
    var r = lab.lab().exec("client", "curl", "-s", "--max-time", "1", "http://" + LAST_VIP + "/");
    return r.ok() ? r.output().strip() : "";
  }

  /** Makes rs1 refuse connections to nginx (a reset), or take them again. */
  private void refuseOnRs1(boolean refuse) throws IOException {
    var r =
        refuse
            ? lab.lab()
                .exec(
                    "rs1",
                    "nft",
                    "add table inet down; add chain inet down in { type filter hook input"
                        + " priority 0; }; add rule inet down in tcp dport 8080 reject with tcp"
                        + " reset")
            : lab.lab().exec("rs1", "nft", "delete table inet down");
    assertThat(r.ok()).as(r.output()).isTrue();
  }

  /**
   * Drops every frame the switch would forward between lb1 and lb2 (ARP included, so neither sees
   * the other claim the VIP), or forwards them again; both still reach the client and the real
   * servers.
   */
  private void cutBetweenTheNodes(boolean cut) throws IOException {
    String p1 = lab.lab().switchPort("lb1");
    String p2 = lab.lab().switchPort("lb2");
    var r =
        cut
            ? lab.lab()
                .onSwitch(
                    "nft",
                    "add table bridge cut; add chain bridge cut between { type filter hook forward"
                        + " priority 0; }; add rule bridge cut between iifname "
                        + p1
                        + " oifname "
                        + p2
                        + " drop; add rule bridge cut between iifname "
                        + p2
                        + " oifname "
                        + p1
                        + " drop")
            : lab.lab().onSwitch("nft", "delete table bridge cut");
    assertThat(r.ok()).as(r.output()).isTrue();
  }

  private int stickMembers(String host) throws IOException {
    return lab.status(host).path("stickTable").path("replication").path("members").asInt();
  }

  /** A request to the VIP from the node itself, from its own pair address: "" when it failed. */
  private String curlOn(String host, String source) throws IOException {
    var r =
        lab.lab()
            .exec(
                host,
                "curl",
                "-s",
                "--max-time",
                "1",
                "--interface",
                source,
                "http://" + PairLab.VIP + "/");
    return r.ok() ? r.output().strip() : "";
  }

  @Test
  void entriesWrittenOnBothSidesOfAPartitionAreOnBothNodesWhenItHeals() throws Exception {
    lab.startPair();
    cutBetweenTheNodes(true);
    // Each still reaches its ping target: both serve, each with the table to itself.
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(lab.pairState("lb2")).isEqualTo("active");
              assertThat(stickMembers("lb1")).isEqualTo(1);
              assertThat(stickMembers("lb2")).isEqualTo(1);
            });
    assertThat(lab.pairState("lb1")).isEqualTo("active");
    assertThat(curlOn("lb1", "10.99.0.11")).matches("rs[12]");
    assertThat(curlOn("lb2", "10.99.0.12")).matches("rs[12]");
    assertThat(lab.lbctl("lb1", "stick", "show", "portal").out()).doesNotContain("10.99.0.12");

    cutBetweenTheNodes(false);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (String host : new String[] {"lb1", "lb2"}) {
                assertThat(lab.lbctl(host, "stick", "show", "portal").out())
                    .as(host)
                    .contains("10.99.0.11", "10.99.0.12");
              }
            });
    // And the pair is one again: a single active node.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> lab.pairState("lb1").equals("active") ^ lab.pairState("lb2").equals("active"));
    // A node that gave the addresses up because the other answered for them as the link healed
    // does not take them back before the pair has merged.
    String lb1 = lab.log("lb1");
    int yielded = lb1.indexOf("another node answers for");
    if (yielded >= 0) {
      assertThat(lb1.substring(yielded)).doesNotContain("primary is now ACTIVE");
    }
  }

  @Test
  void everyClientAndTheLastSuccessfulServerSurviveAKillOfTheActiveNode() throws Exception {
    lab.startPair();

    // GE CCW: the first server fails, traffic moves to the second and stays there after the
    // first returns.
    assertThat(curlLast()).isEqualTo("rs1");
    refuseOnRs1(true);
    assertThat(curlLast()).isEqualTo("rs2");
    refuseOnRs1(false);
    assertThat(curlLast()).isEqualTo("rs2");

    Map<String, String> home = sweep("cat");
    assertThat(home).hasSize(CLIENTS);
    assertThat(home.values()).doesNotContain("");
    Map<String, Long> perServer =
        home.values().stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    assertThat(perServer).containsOnlyKeys("rs1", "rs2");

    // The thousand clients, the client host's own address and the last-successful entry.
    CliRun status = lab.lbctl("lb1", "status");
    assertThat(status.out())
        .contains(
            "stick table: 1002 entries, replicated with 10.99.0.12 over TCP 7778 (peer connected)")
        .contains(" 0 failed, ")
        .contains("real-server lists: same as the peer's");

    // Killed right after the last client's entry was written: nothing waits for replication.
    lab.killAndAwaitTakeover("lb1");
    assertThat(lab.pairState("lb2")).isEqualTo("active");

    // In another order, so that a scheduler starting afresh could not repeat the first sweep.
    Map<String, String> after = sweep("shuf");
    long kept = home.keySet().stream().filter(c -> home.get(c).equals(after.get(c))).count();
    System.out.println(
        "stick: "
            + kept
            + "/"
            + CLIENTS
            + " clients on the same real server after kill -9 "
            + perServer);
    assertThat(kept).isEqualTo(CLIENTS);
    assertThat(curlLast()).as("the last successful server after the failover").isEqualTo("rs2");

    // The table is cleared on the survivor: the first server takes the traffic again.
    CliRun show = lab.lbctl("lb2", "stick", "show", "ccw");
    assertThat(show.out()).contains("ccw: persistence last-successful").contains("rs2");
    assertThat(lab.lbctl("lb2", "stick", "clear", "ccw").exit()).isZero();
    assertThat(curlLast()).isEqualTo("rs1");
  }
}
