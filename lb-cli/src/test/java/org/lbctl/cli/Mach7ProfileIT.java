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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.TestPki;

/**
 * deploy/profiles/mach7.yaml in the namespace lab (192.168.110.0/24 → 10.99.0.0/24) against two
 * Mach7 servers, each running the real thing for its port: dcmtk's storescp (DICOM 11112), a HAPI
 * engine (HL7 6667), dcmtk's wlmscpfs (worklist 5104) and nginx over TLS (HTTPS 443, passed
 * through). Every VIP keeps a client on one server across connections (source-IP persistence) and
 * the servers see the node, not the client (SNAT).
 */
class Mach7ProfileIT {
  private static final Map<String, String> SERVERS =
      Map.of("mach1", "10.99.0.150", "mach2", "10.99.0.151");

  @TempDir Path dir;
  private LoneNodeLab lab;
  private LabPeers peers;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = LoneNodeLab.nodeHosts();
    hosts.put("mach1", "10.99.0.150/24");
    hosts.put("mach2", "10.99.0.151/24");
    lab = LoneNodeLab.create(dir, hosts);
    peers = new LabPeers(lab.lab(), dir);
    for (String vip : List.of("100", "101", "102", "103")) {
      lab.ok("lb", "ip", "addr", "add", "10.99.0." + vip + "/32", "dev", "eth0");
    }
    TestPki pki = TestPki.create(dir.resolve("pki"));
    for (String host : List.of("mach1", "mach2")) {
      Path received = Files.createDirectories(dir.resolve("dicom-" + host));
      peers.spawn(host, "storescp-" + host, "storescp", "-od", received.toString(), "11112");
      peers.hl7Engine(host, 6667);
      Path wl = Files.createDirectories(dir.resolve("worklist-" + host).resolve("MWL"));
      Files.writeString(wl.resolve("lockfile"), "");
      Path dump = dir.resolve("wl-" + host + ".dump");
      // dcmtk's own example worklist item (wlmscpfs ignores one without every required key),
      // named after the server so the answer says who gave it.
      Files.writeString(
          dump,
          Files.readString(Path.of("/usr/share/doc/dcmtk/examples/wlistdb/OFFIS/wklist1.dump"))
              .replace("VIVALDI^ANTONIO", "Mach7^" + host));
      lab.ok("lb", "dump2dcm", dump.toString(), wl.resolve("one.wl").toString());
      peers.spawn(host, "wlmscpfs-" + host, "wlmscpfs", "-dfp", wl.getParent().toString(), "5104");
      lab.nginx(
          host,
          "443 ssl; ssl_certificate %s; ssl_certificate_key %s"
              .formatted(pki.cert("server"), pki.key("server")),
          443,
          "https://" + SERVERS.get(host));
    }
    for (String host : List.of("mach1", "mach2")) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  Files.readString(dir.resolve("hl7-" + host + ".log")).contains("listening")
                      && lab.lab().exec("lb", "echoscu", SERVERS.get(host), "11112").ok()
                      && lab.lab()
                          .exec("lb", "echoscu", "-aec", "MWL", SERVERS.get(host), "5104")
                          .ok());
    }
  }

  @AfterEach
  void stop() throws Exception {
    peers.close();
    lab.close();
  }

  private static String profile() throws Exception {
    return Files.readString(Path.of("..", "deploy", "profiles", "mach7.yaml"))
        .replace("192.168.110.", "10.99.0.");
  }

  private long files(String host) throws Exception {
    try (Stream<Path> f = Files.list(dir.resolve("dicom-" + host))) {
      return f.count();
    }
  }

  private long hl7(String host) throws Exception {
    return peers.hl7Received(host);
  }

  @Test
  void eachOfTheFourVipsKeepsAClientOnOneServerAndTheServersSeeTheNode() throws Exception {
    lab.startNode(profile());
    lab.awaitManagement();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Stream.of("DICOM", "HL7", "DMWL", "HTTPS").allMatch(v -> vipUp(v)));

    // DICOM: three associations, one study each: one server has all three.
    for (String study : peers.studies("Mach7", 3)) {
      var sent =
          lab.lab()
              .exec(Duration.ofSeconds(30), "client", "storescu", "10.99.0.100", "11112", study);
      assertThat(sent.ok()).as(sent.describe()).isTrue();
    }
    assertThat(List.of(files("mach1"), files("mach2"))).containsExactlyInAnyOrder(3L, 0L);

    // HL7: three connections of 5 messages, all acknowledged, all by one engine.
    for (int i = 0; i < 3; i++) {
      Path out = dir.resolve("send" + i + ".log");
      Process p = Hl7Peer.start(lab.lab(), "client", out, "send", "10.99.0.101", "6667", "5");
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(out)).contains("done 5/5");
    }
    assertThat(List.of(hl7("mach1"), hl7("mach2"))).containsExactlyInAnyOrder(15L, 0L);

    // DMWL: three worklist queries, each answered by the server the client sticks to.
    List<String> worklist = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      var q =
          lab.lab()
              .exec(
                  Duration.ofSeconds(30),
                  "client",
                  "findscu",
                  "-v",
                  "-W",
                  "-aec",
                  "MWL",
                  "-k",
                  "(0010,0010)",
                  "10.99.0.102",
                  "5104");
      assertThat(q.ok()).as(q.describe()).isTrue();
      var m = java.util.regex.Pattern.compile("Mach7\\^(mach\\d)").matcher(q.output());
      assertThat(m.find()).as(q.output()).isTrue();
      worklist.add(m.group(1));
    }
    assertThat(worklist).hasSize(3).containsOnly(worklist.get(0));

    // HTTPS passed through: five connections, the server's own certificate, one server.
    List<String> web =
        lab.lab()
            .exec(
                Duration.ofSeconds(30),
                "client",
                "curl",
                "-sk",
                "--max-time",
                "2",
                "-H",
                "Connection: close",
                "https://10.99.0.103/?[1-5]")
            .output()
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .toList();
    assertThat(web).hasSize(5).containsOnly(web.get(0));
    assertThat(lab.server(web.get(0)).lastClient()).isEqualTo("10.99.0.11");

    // What keeps them there: each VIP's stick table holds the client, naming its server.
    for (String vip : List.of("DICOM", "HL7", "DMWL", "HTTPS")) {
      CliRun sticks = lab.lbctl("stick", "show", vip);
      assertThat(sticks.exit()).as(sticks.err()).isZero();
      assertThat(sticks.out())
          .as(vip)
          .contains("10.99.0.10")
          .containsPattern("mach|DICOM|HL7|DMWL|WEB");
    }
  }

  private boolean vipUp(String label) {
    try {
      return lab.vip(label).path("state").asText().equals("up");
    } catch (Exception e) {
      return false;
    }
  }
}
