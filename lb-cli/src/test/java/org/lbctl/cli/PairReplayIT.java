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
 * What someone on the LAN with a recording of the pair's traffic can do: 6 s of the UDP 6694
 * traffic lb2 received, recorded with tcpdump and sent again from the client's namespace (from its
 * own address, and with lb1's address forged) while lb1 is frozen. The replay must not pass for lb1
 * alive: lb2 takes over as soon as it would without it (before the pair transport was sealed, it
 * never did).
 */
@Tag("timed") // what it asserts depends on time: it runs alone (lb-cli/pom.xml)
class PairReplayIT {
  @TempDir Path dir;
  private PairLab pair;
  private NamespaceLab lab;
  private final List<Process> replays = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    pair = PairLab.create(dir);
    lab = pair.lab();
  }

  @AfterEach
  void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
    for (Process p : replays) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    pair.close("pair-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  private Process replay(Path capture, String... options) throws Exception {
    List<String> argv = new ArrayList<>(lab.execPrefix("client"));
    argv.addAll(
        List.of(
            "python3",
            Path.of("..", "deploy", "lab", "replay.py").toAbsolutePath().toString(),
            capture.toString()));
    argv.addAll(List.of(options));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("replay" + replays.size() + ".log").toFile())
            .start();
    replays.add(p);
    return p;
  }

  private long foreignDropped(String host) throws Exception {
    var r = lab.exec(host, "nft", "-j", "list", "counter", "inet", "lbctl_pair_guard", "foreign");
    assertThat(r.ok()).as(r.describe()).isTrue();
    return Long.parseLong(r.output().replaceAll("(?s).*\"packets\": *(\\d+).*", "$1"));
  }

  @Test
  void replayingRecordedPairTrafficDuringAFreezeDoesNotDelayTheTakeover() throws Exception {
    pair.configurePair(
        """
        virtualServices:
          - label: portal
            address: %s
            ports: [80]
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 8080}
              - {label: rs2, address: 10.99.0.22, port: 8080}
        """
            .formatted(PairLab.VIP));
    pair.startPair();
    assertThat(pair.log("lb2")).contains("pair guard: nftables table inet lbctl_pair_guard");

    // 6 s of what lb1 sends lb2 on 6694: heartbeats, failure detection, merge, views.
    Path capture = dir.resolve("pair.pcap");
    lab.exec(
        Duration.ofSeconds(15),
        "lb2",
        "timeout",
        "6",
        "tcpdump",
        "-i",
        "eth0",
        "-U",
        "-w",
        capture.toString(),
        "udp and src host 10.99.0.11 and dst port 6694");
    assertThat(Files.size(capture)).as("recorded pair traffic").isGreaterThan(5_000);

    long droppedBefore = foreignDropped("lb2");
    replay(capture, "--times", "3");
    replay(capture, "--spoof", "--times", "3");
    long frozen = System.nanoTime();
    pair.freeze("lb1", true);
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> pair.pairState("lb2").equals("active"));
    long takeoverMs = (System.nanoTime() - frozen) / 1_000_000;
    System.out.println("replay during a freeze: lb2 active " + takeoverMs + " ms after the freeze");
    // As without a replay (drill.sh stop: p99 2.4 s); the replay ran for all of it.
    assertThat(takeoverMs).isLessThan(4_000);
    assertThat(replays).allSatisfy(p -> assertThat(p.isAlive()).isTrue());
    pair.freeze("lb1", false);

    // The stranger's own datagrams stopped at the guard; the forged ones at the cipher.
    assertThat(foreignDropped("lb2")).isGreaterThan(droppedBefore + 10);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(pair.log("lb2")).contains("pair channel: dropped a datagram from"));
    // And the operator sees both in the status (lbctl status, /metrics).
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              var refused = pair.status("lb2").path("pair").path("refused");
              assertThat(refused.path("strangers").asLong()).isGreaterThan(10);
              assertThat(refused.path("replayed").asLong()).isGreaterThan(10);
            });
  }
}
