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
 * The failover drill for deploy/profiles/mach7.yaml on a pair: 40 workstations (40 addresses on the
 * client host) each reach the HTTPS VIP and are kept on a server by source-IP persistence,
 * replicated to the secondary; an HL7 feed runs. lb1 loses power. Counted: workstations that land
 * on another server afterwards (0) and HL7 messages lost with the sender's resend (0).
 */
class Mach7DrillIT {
  private static final int WORKSTATIONS = 40;

  @TempDir Path dir;
  private PairLab lab;
  private LabPeers peers;
  private Workstations workstations;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = PairLab.pairHosts();
    hosts.put("mach1", "10.99.0.150/24");
    hosts.put("mach2", "10.99.0.151/24");
    lab = PairLab.create(dir, hosts);
    peers = new LabPeers(lab.lab(), dir);
    workstations = Workstations.add(lab, WORKSTATIONS);
    TestPki pki = TestPki.create(dir.resolve("pki"));
    peers.hl7Engines(6667, "mach1", "mach2");
    for (String host : List.of("mach1", "mach2")) {
      String ip = host.equals("mach1") ? "10.99.0.150" : "10.99.0.151";
      lab.nginxIn(
          host,
          "listen 443 ssl; ssl_certificate %s; ssl_certificate_key %s; location / { return 200 \"%s\\n\"; }"
              .formatted(pki.cert("server"), pki.key("server"), host),
          443,
          "https://" + ip + "/");
    }
    lab.configurePair(
        Files.readString(Path.of("..", "deploy", "profiles", "mach7.yaml"))
            .replace("192.168.110.", "10.99.0."));
  }

  @AfterEach
  void stop() throws Exception {
    peers.close();
    lab.close("pair-logs/mach7Drill");
  }

  @Test
  void aPowerCutMovesNoWorkstationAndLosesNoMessage() throws Exception {
    lab.startNodes();
    // This drill runs the HL7 and HTTPS servers only; DICOM and DMWL stay down.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              var vips = lab.status("lb1").path("virtualServices");
              return vips.get(1).path("state").asText().equals("up")
                  && vips.get(3).path("state").asText().equals("up");
            });
    List<String> before = workstations.answers("https://10.99.0.103/");
    assertThat(before).doesNotContain("").contains("mach1", "mach2");
    // The secondary holds every workstation's entry before the cut.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lab.lbctl("lb2", "stick", "show", "HTTPS")
                        .out()
                        .lines()
                        .filter(l -> l.contains("10.99.2."))
                        .count()
                    == WORKSTATIONS);

    Hl7Feed feed = Hl7Feed.start(lab.lab(), dir, "10.99.0.101", 6667).underWay();
    long takeoverMs = Hl7Feed.cutLb1(lab);

    List<String> after = workstations.answers("https://10.99.0.103/");
    long moved = Workstations.moved(before, after);
    int[] hl7 = feed.result();
    System.out.printf(
        "mach7 drill: lb2 active %d ms after the cut; %d of %d workstations moved; HL7 %d/300"
            + " acknowledged, %d resent%n",
        takeoverMs, moved, WORKSTATIONS, hl7[0], hl7[1]);
    assertThat(moved).isZero();
    assertThat(after).doesNotContain("");
    assertThat(hl7[0]).isEqualTo(Hl7Feed.MESSAGES);
  }
}
