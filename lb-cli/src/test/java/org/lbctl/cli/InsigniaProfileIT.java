package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
  private LabPeers peers;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = LoneNodeLab.nodeHosts();
    hosts.put("ds1", "10.99.0.100/24");
    hosts.put("ds2", "10.99.0.102/24");
    hosts.put("ims1", "10.99.0.101/24");
    hosts.put("ims2", "10.99.0.104/24");
    hosts.put("standby", "10.99.0.103/24");
    lab = LoneNodeLab.create(dir, hosts);
    peers = new LabPeers(lab.lab(), dir);
    // A lone node: the VIPs the pair would float are added by hand.
    lab.ok("lb", "ip", "addr", "add", DICOM_VIP + "/32", "dev", "eth0");
    lab.ok("lb", "ip", "addr", "add", HL7_VIP + "/32", "dev", "eth0");
    peers.drDicomServers(DICOM_VIP, 104, "ds1", "ds2");
    peers.hl7Engines(2575, "ims1", "ims2", "standby");
  }

  @AfterEach
  void stop() throws Exception {
    peers.close();
    lab.close();
  }

  private static String profile() throws Exception {
    return Files.readString(Path.of("..", "deploy", "profiles", "insignia.yaml"))
        .replace("172.26.11.", "10.99.0.");
  }

  private int received(String ds) throws Exception {
    return peers.stored(ds);
  }

  private long hl7Received(String engine) throws Exception {
    return peers.hl7Received(engine);
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
    store.addAll(peers.studies("Insignia", 10));
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
