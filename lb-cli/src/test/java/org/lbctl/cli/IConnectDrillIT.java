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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover drill for deploy/profiles/iconnect.yaml on a pair: the primary cluster behind the
 * pair's floating gateway serves all seven ports; 20 long-lived connections exchange a line every
 * 100 ms on the DICOM port and an HL7 feed runs on 12800 while lb1 loses power. Layer 4 NAT: the
 * connections go on through lb2, none breaks or changes server, no HL7 message is lost.
 */
@Tag("timed") // what it asserts depends on time: it runs alone (lb-cli/pom.xml)
class IConnectDrillIT {
  @TempDir Path dir;
  private PairLab lab;
  private LabPeers peers;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = PairLab.pairHosts();
    hosts.put("primary", "10.99.1.110/24");
    hosts.put("secondary", "10.99.1.120/24");
    lab = PairLab.create(dir, hosts);
    peers = new LabPeers(lab.lab(), dir);
    lab.lab().exec("primary", "ip", "route", "add", "default", "via", "10.99.1.254");
    // Each node has its own address on the clusters' subnet, as appliances do: the passive one
    // must check the primary cluster too, or it takes over believing only the fallback is left
    // (this drill's first run did exactly that and reset every open connection).
    lab.lab().exec("lb1", "ip", "addr", "add", "10.99.1.11/24", "dev", "eth0");
    lab.lab().exec("lb2", "ip", "addr", "add", "10.99.1.12/24", "dev", "eth0");
    // The seven ports of the archive: an echo on DICOM, an HL7 engine, nginx on the rest.
    Process echo =
        EchoPeer.start(lab.lab(), "primary", peers.log("echo"), "serve", "primary", "12000");
    peers.track(echo);
    peers.hl7Engine("primary", 12800);
    lab.nginxIn(
        "primary",
        "listen 12100; listen 12200; listen 12300; listen 12301; listen 12950;"
            + " location / { return 200 \"primary\\n\"; }",
        12100,
        "http://10.99.1.110:12100/");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Files.readString(peers.log("echo")).contains("listening")
                    && Files.readString(peers.log("hl7-primary")).contains("listening"));
    lab.configurePair(
        Files.readString(Path.of("..", "deploy", "profiles", "iconnect.yaml"))
            .replace("192.168.200.", "10.99.0.")
            .replace("192.168.100.", "10.99.1."));
  }

  @AfterEach
  void stop() throws Exception {
    peers.close();
    lab.close("pair-logs/iconnectDrill");
  }

  @Test
  void natConnectionsAndTheHl7FeedGoOnThroughLb2() throws Exception {
    lab.startNodes();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                lab.status("lb1")
                    .path("virtualServices")
                    .get(0)
                    .path("state")
                    .asText()
                    .equals("up"));
    Path clientsLog = dir.resolve("clients.log");
    Process clients =
        EchoPeer.start(
            lab.lab(), "client", clientsLog, "clients", "10.99.0.100", "12000", "20", "8");
    peers.track(clients);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Files.exists(clientsLog) && Files.readString(clientsLog).contains("connected 20"));
    Hl7Feed feed = Hl7Feed.start(lab.lab(), dir, "10.99.0.100", 12800).underWay();

    long takeoverMs = Hl7Feed.cutLb1(lab);

    assertThat(clients.waitFor(60, TimeUnit.SECONDS)).isTrue();
    int[] hl7 = feed.result();
    List<String> conns =
        Files.readString(clientsLog).lines().filter(l -> l.startsWith("conn=")).toList();
    long broken = conns.stream().filter(l -> !l.contains("failed=false")).count();
    long worstGap =
        conns.stream()
            .mapToLong(l -> Long.parseLong(l.replaceAll(".*max_gap_ms=(\\d+).*", "$1")))
            .max()
            .orElse(-1);
    System.out.printf(
        "iconnect drill: lb2 active %d ms after the cut; %d of 20 connections broken, worst stall"
            + " %d ms; HL7 %d/300 acknowledged, %d resent%n",
        takeoverMs, broken, worstGap, hl7[0], hl7[1]);
    assertThat(conns).hasSize(20);
    assertThat(conns)
        .allSatisfy(l -> assertThat(l).contains("failed=false").contains("servers=primary "));
    assertThat(hl7[0]).isEqualTo(Hl7Feed.MESSAGES);
  }
}
