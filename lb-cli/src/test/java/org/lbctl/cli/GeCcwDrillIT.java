package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.TestPki;

/**
 * The failover drill for deploy/profiles/ge-ccw.yaml on a pair: CCW_NOTIFICATION has moved to the
 * second server after an outage of the first (last successful), an HL7 feed runs through
 * EMR_INBOUND to HAPI engines, and lb1 loses power. Counted: the notification clients still on the
 * second server through lb2 although the first is healthy again (the entry was replicated: moved
 * 0), mTLS with re-encryption through lb2, HL7 messages lost with the sender's resend (0).
 */
class GeCcwDrillIT {
  @TempDir Path dir;
  private PairLab lab;
  private LabPeers peers;
  private TestPki pki;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = PairLab.pairHosts();
    hosts.put("ccw1", "10.99.0.207/24");
    hosts.put("ccw2", "10.99.0.208/24");
    hosts.put("clover1", "10.99.0.233/24");
    hosts.put("clover2", "10.99.0.234/24");
    lab = PairLab.create(dir, hosts);
    peers = new LabPeers(lab.lab(), dir);
    pki = GeCcwLab.pki(dir);
    for (String host : List.of("ccw1", "ccw2")) {
      lab.nginxIn(
          host,
          GeCcwLab.server(pki, host),
          443,
          "https://" + (host.equals("ccw1") ? "10.99.0.207" : "10.99.0.208") + "/");
    }
    peers.hl7Engines(2101, "clover1", "clover2");
    lab.configurePair(GeCcwLab.profile(pki));
  }

  @AfterEach
  void stop() throws Exception {
    peers.close();
    lab.close("pair-logs/geCcwDrill");
  }

  /** One request with the client's certificate; the answer, or "" when refused. */
  private String get(int port) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                "curl",
                "-s",
                "--max-time",
                "3",
                "--cacert",
                pki.cert("ca").toString(),
                "--cert",
                pki.cert("client").toString(),
                "--key",
                pki.key("client").toString(),
                "https://10.99.0.219:" + port + "/"));
    var r = lab.lab().exec(Duration.ofSeconds(10), "client", argv.toArray(String[]::new));
    return r.ok() ? r.output().strip() : "";
  }

  private String health(String node, int server) throws Exception {
    return lab.status(node)
        .path("virtualServices")
        .get(4)
        .path("realServers")
        .get(server)
        .path("health")
        .asText();
  }

  @Test
  void aPowerCutKeepsLastSuccessfulOnTheSecondServerAndLosesNoMessage() throws Exception {
    lab.startNodes();
    await().atMost(Duration.ofSeconds(60)).until(() -> get(44300).startsWith("ccw1 "));
    // An outage of the first server moves the notification clients to the second, for good.
    lab.lab().exec("ccw1", "ip", "link", "set", "eth0", "down");
    await().atMost(Duration.ofSeconds(30)).until(() -> get(44300).startsWith("ccw2 "));
    lab.lab().exec("ccw1", "ip", "link", "set", "eth0", "up");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> health("lb1", 0).equals("up") && health("lb2", 0).equals("up"));
    assertThat(get(44300)).startsWith("ccw2 ");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lab.lbctl("lb2", "stick", "show", "CCW_NOTIFICATION")
                    .out()
                    .contains("CCW_App_Server_2"));

    Hl7Feed feed = Hl7Feed.start(lab.lab(), dir, "10.99.0.219", 4001).underWay();
    long takeoverMs = Hl7Feed.cutLb1(lab);

    // Through lb2: still the second server (the first is healthy and first in line), and mTLS.
    await().atMost(Duration.ofSeconds(10)).until(() -> !get(44300).isEmpty());
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      after.add(get(44300).split(" ")[0]);
    }
    assertThat(get(443)).matches("ccw[12] client CN=lb-dual");
    int[] hl7 = feed.result();
    System.out.printf(
        "ge-ccw drill: lb2 active %d ms after the cut; notification clients after: %s; HL7 %d/300"
            + " acknowledged, %d resent%n",
        takeoverMs, after, hl7[0], hl7[1]);
    assertThat(after).containsOnly("ccw2");
    assertThat(hl7[0]).isEqualTo(Hl7Feed.MESSAGES);
  }
}
