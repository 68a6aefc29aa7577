package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.cluster.node.Node;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.SnmpSettings;
import org.lbctl.core.os.Commands;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;
import org.lbctl.core.testing.TestClient;

/** The SNMP agent read by net-snmp's snmpwalk and snmpget, v2c and v3 (authPriv). */
class SnmpIT {
  private static final String COMMUNITY = "hospital-ro-7f3a";
  private static final String ROOT = "1.3.6.1.3.6694";

  @TempDir Path dir;
  private TestBackend pacs1;
  private TestBackend pacs2;
  private Node node;
  private int port;
  private int vipPort;

  @BeforeEach
  void start() throws Exception {
    pacs1 = TestBackend.start("pacs1", Mode.NAME_ECHO);
    pacs2 = TestBackend.start("pacs2", Mode.NAME_ECHO);
    port = Ports.free();
    vipPort = Ports.free();
    Path config = dir.resolve("lbctl.yaml");
    Files.writeString(
        config,
        """
        virtualServices:
          - label: pacs
            address: 127.0.0.1
            ports: [%d]
            scheduler: first
            realServers:
              - {label: pacs1, address: 127.0.0.1, port: %d}
              - {label: pacs2, address: 127.0.0.1, port: %d}
        """
            .formatted(vipPort, pacs1.port(), pacs2.port()));
    SnmpSettings snmp =
        new SnmpSettings(
            new InetSocketAddress("127.0.0.1", port),
            Optional.of(COMMUNITY),
            List.of(new SnmpSettings.User("monitor", "auth-passphrase-1", "priv-passphrase-1")));
    node =
        Node.start(
            new NodeConfig(Optional.of(config), dir.resolve("lbctl.sock"), 1)
                .withSnmp(Optional.of(snmp)),
            Optional.empty());
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    pacs1.close();
    pacs2.close();
  }

  private Commands.Result snmp(String tool, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of(tool, "-On", "-t", "1", "-r", "0"));
    argv.addAll(List.of(args));
    return Commands.run(Duration.ofSeconds(20), argv);
  }

  private Commands.Result v2c(String tool, String community, String... oids) throws Exception {
    List<String> args = new ArrayList<>(List.of("-v2c", "-c", community, "127.0.0.1:" + port));
    args.addAll(List.of(oids));
    return snmp(tool, args.toArray(String[]::new));
  }

  /** A real snmptrapd on {@code port}, its configuration {@code conf}, logging to {@code log}. */
  private Process snmptrapd(String name, int port, String conf, Path log) throws Exception {
    Path file = dir.resolve(name + ".conf");
    Files.writeString(file, conf);
    Process trapd =
        new ProcessBuilder(
                "snmptrapd",
                "-f",
                "-C",
                "-c",
                file.toString(),
                "-On",
                "-Lf",
                log.toString(),
                "udp:127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".out").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(log) && Files.readString(log).contains("NET-SNMP"));
    return trapd;
  }

  @Test
  void aDrainedServerReachesSnmptrapdAsV2cAndAsV3AuthPrivNotifications() throws Exception {
    int v2cPort = Ports.free();
    int v3Port = Ports.free();
    // The receiver knows the sender's keys by its engine ID, configured here.
    String engineId = "80001370046c6263746c2d74657374";
    Path v2cLog = dir.resolve("traps-v2c.log");
    Path v3Log = dir.resolve("traps-v3.log");
    Process v2c = snmptrapd("v2c", v2cPort, "authCommunity log " + COMMUNITY + "\n", v2cLog);
    Process v3 =
        snmptrapd(
            "v3",
            v3Port,
            "createUser -e 0x"
                + engineId
                + " monitor SHA-256 auth-passphrase-1 AES priv-passphrase-1\n"
                + "authUser log monitor priv\n",
            v3Log);
    try {
      node.close();
      node =
          Node.start(
              new NodeConfig(Optional.of(dir.resolve("lbctl.yaml")), dir.resolve("lbctl.sock"), 1)
                  .withSnmp(
                      Optional.of(
                          new SnmpSettings(
                              new InetSocketAddress("127.0.0.1", port),
                              Optional.of(COMMUNITY),
                              List.of(
                                  new SnmpSettings.User(
                                      "monitor", "auth-passphrase-1", "priv-passphrase-1")),
                              List.of(
                                  new SnmpSettings.Trap(
                                      new InetSocketAddress("127.0.0.1", v2cPort)),
                                  new SnmpSettings.Trap(
                                      new InetSocketAddress("127.0.0.1", v3Port),
                                      Optional.of("monitor"))),
                              Optional.of(engineId)))),
              Optional.empty());
      node.setAdminState("pacs", "pacs2", AdminState.DRAIN);
      for (Path log : List.of(v2cLog, v3Log)) {
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () ->
                    assertThat(Files.readString(log))
                        .as(log.getFileName().toString())
                        // lbctlRealServerAdmin: subject, from, to (LBCTL-MIB).
                        .contains(
                            ".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.3.6694.0.2",
                            ".1.3.6.1.3.6694.4.1 = STRING: \"pacs/pacs2\"",
                            ".1.3.6.1.3.6694.4.2 = STRING: \"online\"",
                            ".1.3.6.1.3.6694.4.3 = STRING: \"drain\""));
      }
    } finally {
      for (Process trapd : List.of(v2c, v3)) {
        trapd.destroy();
        trapd.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void snmpwalkReadsTheVirtualServicesAndRealServersOverV2c() throws Exception {
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
    node.setAdminState("pacs", "pacs2", AdminState.HALT);

    Commands.Result walk = v2c("snmpwalk", COMMUNITY, ROOT);
    assertThat(walk.ok()).as(walk.describe()).isTrue();
    String out = walk.output();
    assertThat(out)
        .contains(
            ".1.3.6.1.3.6694.2.1.1.2.1 = STRING: \"pacs\"",
            ".1.3.6.1.3.6694.2.1.1.3.1 = STRING: \"127.0.0.1\"",
            ".1.3.6.1.3.6694.2.1.1.7.1 = INTEGER: 1",
            ".1.3.6.1.3.6694.2.1.1.9.1 = Counter64: 1",
            ".1.3.6.1.3.6694.3.1.1.2.1.1 = STRING: \"pacs1\"",
            ".1.3.6.1.3.6694.3.1.1.2.1.2 = STRING: \"pacs2\"",
            ".1.3.6.1.3.6694.3.1.1.6.1.1 = INTEGER: 1",
            ".1.3.6.1.3.6694.3.1.1.6.1.2 = INTEGER: 3",
            ".1.3.6.1.3.6694.3.1.1.9.1.1 = Counter64: 1",
            ".1.3.6.1.3.6694.1.5.0 = INTEGER: 3");
    // A walk is in OID order; past the last object net-snmp says so on a line of its own.
    List<String> objects = objects(out);
    List<String> oids = objects.stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
    // Nine node objects, ten columns of one VIP, ten of each of its two real servers: the index
    // columns are not-accessible (SMIv2), the row's OID carries them.
    assertThat(oids).doesNotHaveDuplicates().hasSize(9 + 10 + 2 * 10);
    assertThat(oids)
        .noneMatch(o -> o.startsWith(".1.3.6.1.3.6694.2.1.1.1."))
        .noneMatch(o -> o.startsWith(".1.3.6.1.3.6694.3.1.1.1."));
    assertThat(out).contains("No more variables left in this MIB View");

    Commands.Result bulk = snmp("snmpbulkwalk", "-v2c", "-c", COMMUNITY, "127.0.0.1:" + port, ROOT);
    assertThat(objects(bulk.output())).isEqualTo(objects);

    Commands.Result system = v2c("snmpget", COMMUNITY, "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.2.0");
    assertThat(system.output())
        .contains(".1.3.6.1.2.1.1.5.0 = STRING: \"" + node.status().node() + "\"")
        .contains(".1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.3.6694");
  }

  private static List<String> objects(String walk) {
    return walk.lines().filter(l -> !l.contains("No more variables")).toList();
  }

  @Test
  void aWrongCommunityGetsNoAnswerAndNothingCanBeSet() throws Exception {
    Commands.Result wrong = v2c("snmpget", "public", "1.3.6.1.2.1.1.5.0");
    assertThat(wrong.ok()).isFalse();
    assertThat(wrong.output()).contains("Timeout");

    Commands.Result set =
        snmp(
            "snmpset",
            "-v2c",
            "-c",
            COMMUNITY,
            "127.0.0.1:" + port,
            ".1.3.6.1.3.6694.3.1.1.6.1.1",
            "i",
            "3");
    assertThat(set.ok()).isFalse();
    assertThat(set.output()).contains("notWritable");
    assertThat(node.status().virtualServices().get(0).realServers().get(0).adminState())
        .isEqualTo("online");
  }

  /** An SNMPv3 request as user monitor; {@code priv} null: authNoPriv. */
  private Commands.Result v3(String tool, String auth, String priv, String oid) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("-v3", "-u", "monitor", "-a", "SHA-256", "-A", auth));
    if (priv == null) {
      args.addAll(List.of("-l", "authNoPriv"));
    } else {
      args.addAll(List.of("-l", "authPriv", "-x", "AES", "-X", priv));
    }
    args.addAll(List.of("127.0.0.1:" + port, oid));
    return snmp(tool, args.toArray(String[]::new));
  }

  @Test
  void v3AnswersOnlyAuthenticatedAndEncryptedRequests() throws Exception {
    Commands.Result ok = v3("snmpwalk", "auth-passphrase-1", "priv-passphrase-1", ROOT + ".3");
    assertThat(ok.ok()).as(ok.describe()).isTrue();
    assertThat(ok.output()).contains("STRING: \"pacs1\"", "STRING: \"pacs2\"");

    Commands.Result wrongKey =
        v3("snmpget", "not-the-passphrase", "priv-passphrase-1", "1.3.6.1.2.1.1.5.0");
    assertThat(wrongKey.ok()).isFalse();
    assertThat(wrongKey.output()).containsAnyOf("Authentication failure", "Timeout");

    Commands.Result noPriv = v3("snmpget", "auth-passphrase-1", null, "1.3.6.1.2.1.1.5.0");
    assertThat(noPriv.ok()).isFalse();
    assertThat(noPriv.output()).doesNotContain(node.status().node() + "\"");
  }
}
