package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover drill for deploy/profiles/insignia.yaml on a pair (lb1 primary, lb2 secondary): an
 * HL7 feed (300 messages, 20 ms apart, resent until acknowledged as interface engines do) and a
 * modality storing 30 studies (one association each, retried on failure as modalities do) run while
 * lb1 loses power (kill -9 and its link down). Counted: HL7 messages lost (0), DICOM associations
 * that failed and the retry recovered, studies lost (0), and the client moved to another DICOM
 * server (never: all studies on one).
 */
class InsigniaDrillIT {
  @TempDir Path dir;
  private PairLab lab;
  private LabPeers peers;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = PairLab.pairHosts();
    hosts.put("ds1", "10.99.0.100/24");
    hosts.put("ds2", "10.99.0.102/24");
    hosts.put("ims1", "10.99.0.101/24");
    hosts.put("ims2", "10.99.0.104/24");
    hosts.put("standby", "10.99.0.103/24");
    lab = PairLab.create(dir, hosts);
    peers = new LabPeers(lab.lab(), dir);
    peers.drDicomServers("10.99.0.70", 104, "ds1", "ds2");
    peers.hl7Engines(2575, "ims1", "ims2", "standby");
    lab.configurePair(
        Files.readString(Path.of("..", "deploy", "profiles", "insignia.yaml"))
            .replace("172.26.11.", "10.99.0."));
  }

  @AfterEach
  void stop() throws Exception {
    peers.close();
    lab.close("pair-logs/insigniaDrill");
  }

  private int stored(String ds) throws Exception {
    return peers.stored(ds);
  }

  @Test
  void aPowerCutOfTheActiveNodeLosesNoMessageAndNoStudy() throws Exception {
    lab.startNodes();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                lab.status("lb1").path("virtualServices").findValuesAsText("state").stream()
                    .allMatch("up"::equals));
    List<String> studies = peers.studies("Drill", 30);
    Path script = dir.resolve("modality.sh");
    // The modality: one association per study, retried every 200 ms (20 tries) when it fails.
    Files.writeString(
        script,
        """
        for f in "$@"; do
          for try in $(seq 1 20); do
            if storescu 10.99.0.70 104 "$f" 2>/dev/null; then echo "stored $f try $try"; break; fi
            echo "failed $f try $try"; sleep 0.2
          done
          sleep 0.15
        done
        """);
    Path modalityLog = dir.resolve("modality.log");
    List<String> argv = new java.util.ArrayList<>(lab.lab().execPrefix("client"));
    argv.addAll(List.of("sh", script.toString()));
    argv.addAll(studies);
    Process modality =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(modalityLog.toFile())
            .start();
    Hl7Feed feed = Hl7Feed.start(lab.lab(), dir, "10.99.0.71", 2575);

    // Both under way: the active node loses power.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.readString(modalityLog).contains("stored"));
    feed.underWay();
    long takeoverMs = Hl7Feed.cutLb1(lab);

    int[] hl7 = feed.result();
    assertThat(modality.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String modalityOut = Files.readString(modalityLog);
    long failedAssociations = modalityOut.lines().filter(l -> l.startsWith("failed")).count();
    long storedStudies = modalityOut.lines().filter(l -> l.startsWith("stored")).count();
    System.out.printf(
        "insignia drill: lb2 active %d ms after the cut; HL7 %d/300 acknowledged, %d resent;"
            + " DICOM %d/30 stored, %d failed associations recovered by the retry;"
            + " ds1 %d ds2 %d%n",
        takeoverMs,
        hl7[0],
        hl7[1],
        storedStudies,
        failedAssociations,
        stored("ds1"),
        stored("ds2"));
    assertThat(hl7[0]).isEqualTo(Hl7Feed.MESSAGES);
    assertThat(storedStudies).isEqualTo(30);
    // The same client on the same DICOM server before and after: none moved.
    assertThat(List.of(stored("ds1"), stored("ds2"))).containsExactlyInAnyOrder(30, 0);
    // Every HL7 message reached an engine: what the engines acknowledged covers all 300.
    assertThat(peers.hl7Received("ims1") + peers.hl7Received("ims2")).isGreaterThanOrEqualTo(300);
  }
}
