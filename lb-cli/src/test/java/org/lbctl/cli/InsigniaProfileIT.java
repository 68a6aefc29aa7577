package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/profiles/insignia.yaml as shipped, its 172.26.11.0/24 placeholders moved to the lab's
 * 10.99.0.0/24: DICOM through the layer 4 DR VIP to dcmtk's storescp on the DICOM servers (VIP on
 * their loopback), checked by C-ECHO; HL7 through the layer 7 VIP to HAPI interface engines over
 * MLLP, and to the standby node once no engine answers ping — the guide's "Fallback Server: the
 * Standby node". No message goes unacknowledged.
 */
class InsigniaProfileIT {
  private static final String DICOM_VIP = "10.99.0.70";
  private static final String HL7_VIP = "10.99.0.71";

  @TempDir Path dir;
  private LoneNodeLab lab;
  private final List<Process> peers = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("lb", "10.99.0.11/24");
    hosts.put("ds1", "10.99.0.100/24");
    hosts.put("ds2", "10.99.0.102/24");
    hosts.put("ims1", "10.99.0.101/24");
    hosts.put("ims2", "10.99.0.104/24");
    hosts.put("standby", "10.99.0.103/24");
    lab = LoneNodeLab.create(dir, hosts);
    // A lone node: the VIPs the pair would float are added by hand.
    lab.ok("lb", "ip", "addr", "add", DICOM_VIP + "/32", "dev", "eth0");
    lab.ok("lb", "ip", "addr", "add", HL7_VIP + "/32", "dev", "eth0");
    for (String ds : List.of("ds1", "ds2")) {
      DrRealServer.prepare(lab.lab(), ds, DICOM_VIP);
      Path received = Files.createDirectories(dir.resolve("received-" + ds));
      List<String> argv = new ArrayList<>(lab.lab().execPrefix(ds));
      argv.addAll(List.of("storescp", "-od", received.toString(), "104"));
      peers.add(
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("storescp-" + ds + ".log").toFile())
              .start());
    }
    for (String engine : List.of("ims1", "ims2", "standby")) {
      peers.add(Hl7Peer.start(lab.lab(), engine, log(engine), "serve", engine, "2575"));
    }
    for (String engine : List.of("ims1", "ims2", "standby")) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.readString(log(engine)).contains("listening 2575"));
    }
  }

  private Path log(String host) {
    return dir.resolve(host + ".log");
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : peers) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    lab.close();
  }

  private static String profile() throws Exception {
    return Files.readString(Path.of("..", "deploy", "profiles", "insignia.yaml"))
        .replace("172.26.11.", "10.99.0.");
  }

  private int received(String ds) throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("received-" + ds))) {
      return (int) files.count();
    }
  }

  private long hl7Received(String engine) throws Exception {
    return Files.readString(log(engine)).lines().filter(l -> l.startsWith("received ")).count();
  }

  /** Sends {@code n} HL7 messages from the client through the VIP; returns the sender's output. */
  private String sendHl7(int n) throws Exception {
    Path out = dir.resolve("sender-" + System.nanoTime() + ".log");
    Process p =
        Hl7Peer.start(lab.lab(), "client", out, "send", HL7_VIP, "2575", Integer.toString(n));
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return Files.readString(out);
  }

  @Test
  void dicomGoesDirectToOneServerAndHl7FallsBackToTheStandby() throws Exception {
    lab.startNode(profile());
    lab.awaitManagement();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                lab.vip("DS_DICOM").path("state").asText().equals("up")
                    && lab.vip("HL7").path("state").asText().equals("up"));

    // DICOM: ten studies in one association from the modality, all on one server (300 s
    // source-IP persistence), answered by the server directly (DR).
    List<String> store = new ArrayList<>(List.of("storescu", DICOM_VIP, "104"));
    for (int i = 1; i <= 10; i++) {
      Path dump = dir.resolve("study" + i + ".dump");
      Files.writeString(
          dump,
          """
          (0008,0016) UI =SecondaryCaptureImageStorage
          (0008,0018) UI [2.25.66%1$d]
          (0008,0060) CS [OT]
          (0010,0010) PN [Insignia^Patient%1$d]
          (0010,0020) LO [I%1$d]
          (0020,000d) UI [2.25.67%1$d]
          (0020,000e) UI [2.25.68%1$d]
          """
              .formatted(i));
      Path dcm = dir.resolve("study" + i + ".dcm");
      lab.ok("client", "dump2dcm", dump.toString(), dcm.toString());
      store.add(dcm.toString());
    }
    var sent = lab.lab().exec(Duration.ofSeconds(60), "client", store.toArray(String[]::new));
    assertThat(sent.ok()).as(sent.describe()).isTrue();
    assertThat(List.of(received("ds1"), received("ds2"))).containsExactlyInAnyOrder(10, 0);

    // HL7 while the engines answer: every message acknowledged, none on the standby.
    assertThat(sendHl7(20)).contains("done 20/20");
    assertThat(hl7Received("ims1") + hl7Received("ims2")).isEqualTo(20);
    assertThat(hl7Received("standby")).isZero();

    // Both engines stop answering ping (their links go down): the standby takes the messages.
    lab.ok("ims1", "ip", "link", "set", "eth0", "down");
    lab.ok("ims2", "ip", "link", "set", "eth0", "down");
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> lab.vip("HL7").path("state").asText().equals("fallback"));
    assertThat(sendHl7(20)).contains("done 20/20");
    assertThat(hl7Received("standby")).isEqualTo(20);
    assertThat(lab.log()).contains("HL7");
  }
}
