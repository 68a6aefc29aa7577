package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three lbctl nodes as one cluster in a namespace lab, each the packaged jar with a cluster section
 * in its node file, in front of two nginx servers. Group gI (VIP 10.99.0.10I) prefers lbI, then the
 * next nodes in turn, with failback.
 */
@Tag("timed") // what it asserts depends on time: it runs alone (lb-cli/pom.xml)
class ClusterNodesIT {
  private static final String DR_VIP = "10.99.0.104";

  @TempDir Path dir;
  private PairLab lab;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    // lb4 runs alone until a test has it join.
    for (int i = 1; i <= 4; i++) {
      hosts.put("lb" + i, "10.99.0.1" + i + "/24");
    }
    hosts.put("rs1", "10.99.0.21/24");
    hosts.put("rs2", "10.99.0.22/24");
    lab = PairLab.withServers(dir, hosts, "8080; listen 80");
    // The real servers of the layer 4 DR VIP: it on their loopback, and no ARP answers for it.
    for (String rs : new String[] {"rs1", "rs2"}) {
      DrRealServer.prepare(lab.lab(), rs, DR_VIP);
    }
    Path secret = dir.resolve("cluster.secret");
    Files.writeString(secret, "0c1f3a5b7d9e2f4a6b8c0d2e4f6a8b0c\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    for (int i = 1; i <= 3; i++) {
      Files.writeString(dir.resolve("lb" + i + "-lbctl.yaml"), config(3));
      Files.writeString(
          dir.resolve("lb" + i + ".yaml"),
          """
          configFile: lb%1$d-lbctl.yaml
          managementSocket: lb%1$d.sock
          ioThreads: 1
          management: {listen: none}
          cluster:
            name: lb%1$d
            secretFile: cluster.secret
            members:
              - {name: lb1, address: 10.99.0.11}
              - {name: lb2, address: 10.99.0.12}
              - {name: lb3, address: 10.99.0.13}
          """
              .formatted(i));
    }
    // In a directory of its own: joining writes cluster.yaml and cluster.secret beside it.
    Files.createDirectories(dir.resolve("lb4"));
    Files.writeString(
        dir.resolve("lb4/lbctl.yaml"),
        """
        virtualServices:
          - label: own
            address: 10.99.0.14
            ports: [8081]
            realServers: [{label: rs1, address: 10.99.0.21, port: 8080}]
        """);
    Files.writeString(
        dir.resolve("lb4.yaml"),
        """
        configFile: lb4/lbctl.yaml
        managementSocket: lb4.sock
        ioThreads: 1
        management: {listen: none}
        """);
  }

  /**
   * Three web VIPs and a layer 4 DR VIP, and the first {@code groups} of their groups (web3 and dr
   * are in g3).
   */
  private static String config(int groups) {
    StringBuilder c = new StringBuilder("virtualServices:\n");
    for (int i = 1; i <= 3; i++) {
      c.append(
          """
            - label: web%d
              address: 10.99.0.10%d
              ports: [80]
              timeouts: {connect: 1s}
              realServers:
                - {label: rs1, address: 10.99.0.21, port: 8080}
                - {label: rs2, address: 10.99.0.22, port: 8080}
          """
              .formatted(i, i));
    }
    c.append(
        """
          - label: dr
            address: %s
            ports: [80]
            layer: 4
            mode: dr
            realServers:
              - {label: rs1, address: 10.99.0.21, port: 0}
              - {label: rs2, address: 10.99.0.22, port: 0}
        """
            .formatted(DR_VIP));
    if (groups > 0) {
      c.append("groups:\n");
    }
    for (int i = 1; i <= groups; i++) {
      c.append(
          "  - {name: g%d, virtualServices: [%s], preference: [lb%d, lb%d, lb%d], failback: true}\n"
              .formatted(i, i == 3 ? "web3, dr" : "web" + i, i, i % 3 + 1, (i + 1) % 3 + 1));
    }
    return c.toString();
  }

  @AfterEach
  void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
    lab.close("cluster-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  private boolean holds(String host, int group) throws IOException {
    return lab.lab()
        .exec(host, "ip", "-o", "addr", "show", "dev", "eth0")
        .output()
        .contains("10.99.0.10" + group + "/32");
  }

  private String curl(int group) throws IOException {
    var r =
        lab.lab()
            .exec("client", "curl", "-s", "--max-time", "0.5", "http://10.99.0.10" + group + "/");
    return r.ok() ? r.output().strip() : "";
  }

  private void start(String host) throws IOException {
    lab.start(host, dir.resolve(host + ".yaml"));
  }

  private void settledOnPreferences() {
    await()
        .atMost(Duration.ofSeconds(40))
        .untilAsserted(
            () -> {
              for (int g = 1; g <= 3; g++) {
                for (int n = 1; n <= 3; n++) {
                  assertThat(holds("lb" + n, g)).as("lb%d holds g%d", n, g).isEqualTo(g == n);
                }
                assertThat(curl(g)).matches("rs[12]");
              }
            });
  }

  @Test
  void eachNodeHoldsItsGroupAKilledNodesGroupMovesOnAndComesBackWithIt() throws Exception {
    // What a crash left on lb1: g2's address, which lb2 will hold. lb1 removes it as it starts.
    lab.lab().exec("lb1", "ip", "addr", "add", "10.99.0.102/32", "dev", "eth0", "label", "eth0:lb");
    for (String h : new String[] {"lb1", "lb2", "lb3"}) {
      start(h);
    }
    settledOnPreferences();
    JsonNode cluster = lab.status("lb1").path("cluster");
    assertThat(cluster.path("quorum").asBoolean()).isTrue();
    assertThat(cluster.path("holding").toString()).isEqualTo("[\"g1\"]");
    assertThat(cluster.path("members")).hasSize(3);
    cluster.path("members").forEach(m -> assertThat(m.path("inView").asBoolean()).isTrue());
    assertThat(cluster.path("groups").toString())
        .isEqualTo(
            "[{\"group\":\"g1\",\"holder\":\"lb1\"},{\"group\":\"g2\",\"holder\":\"lb2\"},"
                + "{\"group\":\"g3\",\"holder\":\"lb3\"}]");
    assertThat(lab.lbctl("lb1", "status").out())
        .contains("cluster: lb1 is in a quorum, holds g1; fence lease renewed")
        .containsPattern("lb3 +10\\.99\\.0\\.13:6694 +yes +\\d+ ms ago +v\\d+ \\w{12} +g3");

    // A stranger's datagrams to the cluster port stop at the kernel's guard, counted.
    assertThat(lab.log("lb1")).contains("pair guard: nftables table inet lbctl_pair_guard");
    lab.lab().exec("client", "bash", "-c", "echo stranger > /dev/udp/10.99.0.11/6694");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> lab.status("lb1").path("cluster").path("refusedStrangers").asLong() >= 1);
    assertThat(lab.status("lb1").path("cluster").path("quorum").asBoolean()).isTrue();

    // kill -9 of lb2, and what its unit does after (the addresses go): its host refuses
    // connections to the dead process, so g2 answers from lb3, next in its preference, at once.
    long killed = System.nanoTime();
    lab.kill("lb2");
    lab.lab().exec("lb2", "ip", "addr", "flush", "dev", "eth0", "label", "eth0:lb");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> holds("lb3", 2) && curl(2).matches("rs[12]"));
    long tookMs = (System.nanoTime() - killed) / 1_000_000;
    assertThat(tookMs).as("g2 answered again after %d ms", tookMs).isLessThan(1500);
    assertThat(lab.log("lb3"))
        .contains("lb2 left the view while heard; its host says its process is gone");
    assertThat(lab.status("lb1").path("cluster").path("quorum").asBoolean()).isTrue();

    // Back: g2 returns to lb2.
    start("lb2");
    settledOnPreferences();

    // The layer 4 DR VIP moves with g3: its kernel rules are in where the group is held.
    await().atMost(Duration.ofSeconds(10)).until(() -> curlDr().matches("rs[12]"));
    lab.kill("lb3");
    lab.lab().exec("lb3", "ip", "addr", "flush", "dev", "eth0", "label", "eth0:lb");
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> holds("lb1", 3) && curlDr().matches("rs[12]"));
    assertThat(l4Rules("lb1")).as("lb1 holds g3: its DR rules").contains(DR_VIP);
    assertThat(l4Rules("lb2")).as("lb2 holds no DR VIP: no rules for it").doesNotContain(DR_VIP);
  }

  /** The layer 4 tables (inet and netdev) on {@code host}, as nft lists them. */
  private String l4Rules(String host) throws IOException {
    return lab.lab().exec(host, "nft", "list", "table", "inet", "lbctl_l4").output()
        + lab.lab().exec(host, "nft", "list", "table", "netdev", "lbctl_l4").output();
  }

  private String curlDr() throws IOException {
    var r = lab.lab().exec("client", "curl", "-s", "--max-time", "0.5", "http://" + DR_VIP + "/");
    return r.ok() ? r.output().strip() : "";
  }

  private String configHash(String host) throws IOException {
    JsonNode s = lab.status(host);
    return s.path("configVersion").asLong() + " " + s.path("configHash").asText();
  }

  @Test
  void anEditOnAnyMemberReachesTheOthersAndTheirFilesAndARefusedOneNowhere() throws Exception {
    for (String h : new String[] {"lb1", "lb2", "lb3"}) {
      start(h);
    }
    settledOnPreferences();
    Files.writeString(dir.resolve("lb1-lbctl.yaml"), config(2));
    CliRun reload = lab.lbctl("lb1", "reload");
    assertThat(reload.exit()).isNotZero();
    assertThat(reload.err()).contains("'web3'").contains("'dr'").contains("is in no group");
    Files.writeString(dir.resolve("lb1-lbctl.yaml"), config(0));
    reload = lab.lbctl("lb1", "reload");
    assertThat(reload.exit()).isNotZero();
    assertThat(reload.err())
        .contains(
            "groups: this node is a member of a cluster, where floating addresses move in VIP")
        .contains("put web1, web2, web3, dr in a group")
        .doesNotContain("Exception");
    CliRun pair = lab.lbctl("lb1", "pair", "--accept", "--listen", "10.99.0.11");
    assertThat(pair.exit()).isNotZero();
    assertThat(pair.err()).contains("this node is a member of a cluster (lb1, lb2, lb3)");
    settledOnPreferences();
    assertThat(configHash("lb2")).isEqualTo(configHash("lb1")).isEqualTo(configHash("lb3"));

    // An edit on lb2: every member runs it and keeps it in its own file.
    Files.writeString(
        dir.resolve("lb2-lbctl.yaml"), config(3).replace("connect: 1s", "connect: 2s"));
    assertThat(lab.lbctl("lb2", "reload").exit()).isZero();
    String edited = configHash("lb2");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(configHash("lb1")).isEqualTo(edited);
              assertThat(configHash("lb3")).isEqualTo(edited);
            });
    assertThat(Files.readString(dir.resolve("lb3-lbctl.yaml"))).contains("connect: 2s");
    assertThat(lab.lbctl("lb1", "status").out()).doesNotContain("OTHER GROUP LAYOUT");
    settledOnPreferences();

    // An operator moves g1 to lb3, from lb2: lb1 lets it go, lb3 takes it, every member agrees.
    assertThat(lab.lbctl("lb2", "group", "move", "nothing", "lb3").err())
        .contains("no group 'nothing' (groups: g1, g2, g3)");
    assertThat(lab.lbctl("lb2", "group", "move", "g1", "lb9").err())
        .contains("'lb9' is not a member of this cluster (lb1, lb2, lb3)");
    CliRun move = lab.lbctl("lb2", "group", "move", "g1", "lb3");
    assertThat(move.exit()).as(move.err()).isZero();
    assertThat(move.out()).contains("g1: lb3 first in its preference, failback on");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(holds("lb3", 1)).isTrue();
              assertThat(holds("lb1", 1)).isFalse();
              assertThat(curl(1)).matches("rs[12]");
            });
    assertThat(Files.readString(dir.resolve("lb1-lbctl.yaml")))
        .containsPattern("g1[\\s\\S]*preference:[\\s\\S]*lb3[\\s\\S]*lb1");

    // Alone of three, lb1 refuses edits: the majority's version must win when they meet again.
    lab.kill("lb2");
    lab.kill("lb3");
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> !lab.status("lb1").path("cluster").path("quorum").asBoolean());
    CliRun alone = lab.lbctl("lb1", "reload");
    assertThat(alone.exit()).isNotZero();
    assertThat(alone.err()).contains("this member sees fewer than a majority of the members");
  }

  @Test
  void aNodeJoinsOnAMembersInvitationTakesAGroupAndLeavesHandingItBack() throws Exception {
    for (String h : new String[] {"lb1", "lb2", "lb3", "lb4"}) {
      start(h);
    }
    settledOnPreferences();
    assertThat(lab.lbctl("lb4", "cluster", "invite").err())
        .contains("this node is not a member of a cluster");
    CliRun invite = lab.lbctl("lb2", "cluster", "invite");
    assertThat(invite.exit()).as(invite.err()).isZero();
    var matcher = java.util.regex.Pattern.compile("token: (\\S+)").matcher(invite.out());
    assertThat(matcher.find()).as(invite.out()).isTrue();
    String token = matcher.group(1);
    assertThat(invite.out()).contains("10.99.0.12:6694");

    // Refused, and nothing changes: its own service without --force, then a wrong token.
    CliRun own = lab.lbctl("lb4", "cluster", "join", "--peer", "10.99.0.12", "--token", token);
    assertThat(own.exit()).isNotZero();
    assertThat(own.err()).contains("runs 1 virtual service(s) of its own (own)");
    CliRun wrong =
        lab.lbctl(
            "lb4",
            "cluster",
            "join",
            "--peer",
            "10.99.0.12",
            "--token",
            "aaaaa-bbbbb-ccccc-ddddd-eeeee-f",
            "--force");
    assertThat(wrong.exit()).isNotZero();
    assertThat(wrong.err()).contains("joining failed, nothing changed");
    assertThat(
            lab.status("lb4").path("cluster").isMissingNode()
                || lab.status("lb4").path("cluster").isNull())
        .isTrue();
    assertThat(lab.status("lb1").path("cluster").path("members")).hasSize(3);

    CliRun join =
        lab.lbctl(
            "lb4",
            "cluster",
            "join",
            "--peer",
            "10.99.0.12",
            "--token",
            token,
            "--name",
            "lb4",
            "--force");
    assertThat(join.exit()).as(join.err()).isZero();
    assertThat(join.out()).contains("joined: this node is member 'lb4' of the cluster");
    assertThat(dir.resolve("lb4/cluster.yaml")).exists();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (int n = 1; n <= 4; n++) {
                JsonNode c = lab.status("lb" + n).path("cluster");
                assertThat(c.path("members")).as("lb%d's members", n).hasSize(4);
                c.path("members")
                    .forEach(
                        m -> assertThat(m.path("inView").asBoolean()).as(m.toString()).isTrue());
                assertThat(configHash("lb" + n)).isEqualTo(configHash("lb1"));
              }
            });
    assertThat(Files.readString(dir.resolve("lb1-lbctl.yaml")))
        .contains("name: lb4")
        .contains("10.99.0.14:6694");
    assertThat(Files.readString(dir.resolve("lb4/lbctl.yaml"))).contains("label: web1");
    try (var files = Files.list(dir.resolve("lb4"))) {
      assertThat(files.map(Path::toString).toList())
          .anyMatch(f -> f.contains("lbctl.yaml.before-join-"));
    }
    settledOnPreferences();

    // The newcomer serves: g1 moves to it.
    CliRun move = lab.lbctl("lb3", "group", "move", "g1", "lb4");
    assertThat(move.exit()).as(move.err()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(holds("lb4", 1)).isTrue();
              assertThat(holds("lb1", 1)).isFalse();
              assertThat(curl(1)).matches("rs[12]");
            });

    // Refusals that leave the members as they are.
    assertThat(lab.lbctl("lb1", "cluster", "leave").err())
        .contains("set up by hand in the node file");
    assertThat(lab.lbctl("lb2", "cluster", "remove", "lb9").err())
        .contains("'lb9' is not a member of this cluster (lb1, lb2, lb3, lb4)");
    assertThat(lab.lbctl("lb2", "cluster", "remove", "lb2").err())
        .contains("is this node: run `lbctl cluster leave`");

    // lb4 leaves: it lets g1 go, which returns to lb1, and runs alone on an empty configuration.
    CliRun leave = lab.lbctl("lb4", "cluster", "leave");
    assertThat(leave.exit()).as(leave.err()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(holds("lb1", 1)).isTrue();
              assertThat(holds("lb4", 1)).isFalse();
              assertThat(curl(1)).matches("rs[12]");
              assertThat(lab.status("lb1").path("cluster").path("members")).hasSize(3);
            });
    assertThat(dir.resolve("lb4/cluster.yaml")).doesNotExist();
    assertThat(Files.readString(dir.resolve("lb4/lbctl.yaml"))).doesNotContain("web1");
    assertThat(lab.status("lb4").path("virtualServices")).isEmpty();
    assertThat(lab.log("lb4")).contains("this node left the cluster and runs alone");
    assertThat(Files.readString(dir.resolve("lb2-lbctl.yaml"))).doesNotContain("lb4");
    settledOnPreferences();
    // Three again: one fewer would leave no majority that survives a failure.
    assertThat(lab.lbctl("lb2", "cluster", "remove", "lb3").err())
        .contains("with one fewer no majority would survive a failure");
  }
}
