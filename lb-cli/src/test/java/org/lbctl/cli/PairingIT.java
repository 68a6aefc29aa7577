package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lbctl pair} between two lone nodes in a namespace lab (client, lb1, lb2, rs1, rs2): the
 * packaged jar as processes, nginx real servers, curl as the client. Each node has its own
 * directory, as on two machines; nothing about the pair is written by hand.
 */
class PairingIT {
  private static final String VIP = PairLab.VIP;
  private static final Pattern TOKEN = Pattern.compile("token: (\\S+)");

  @TempDir Path dir;
  private PairLab lab;

  @BeforeEach
  void lab() throws Exception {
    lab = PairLab.create(dir);
  }

  @AfterEach
  void stop(TestInfo test) throws Exception {
    lab.close("pairing-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  private static final String PORTAL =
      """
      virtualServices:
        - label: portal
          address: %s
          ports: [80]
          timeouts: {connect: 1s}
          realServers:
            - {label: rs1, address: 10.99.0.21, port: 8080}
            - {label: rs2, address: 10.99.0.22, port: 8080}
      """
          .formatted(VIP);

  private static final String OTHER =
      """
      virtualServices:
        - label: other
          address: 10.99.0.200
          ports: [8000]
          realServers:
            - {label: rs1, address: 10.99.0.21, port: 8080}
      """;

  /** A lone node: a node file and a configuration in its own directory, no pair section. */
  private Path home(String host, String config) throws IOException {
    Path home = Files.createDirectories(dir.resolve(host));
    Files.writeString(home.resolve("lbctl.yaml"), config);
    Files.writeString(
        home.resolve("node.yaml"),
        """
        configFile: lbctl.yaml
        managementSocket: %s
        ioThreads: 1
        """
            .formatted(lab.socket(host)));
    return home;
  }

  private void startNode(String host) throws IOException {
    lab.start(host, dir.resolve(host).resolve("node.yaml"));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> lab.status(host).has("node"));
  }

  /** {@code lbctl pair --accept} on lb2; the token it printed. */
  private String offer() {
    CliRun accept = lab.lbctl("lb2", "pair", "--accept", "--listen", "10.99.0.12");
    assertThat(accept.exit()).as(accept.err()).isZero();
    assertThat(accept.out())
        .contains("10.99.0.12:6694 (TCP)")
        .contains("lbctl pair --peer 10.99.0.12 --token");
    Matcher m = TOKEN.matcher(accept.out());
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private CliRun pairFromLb1(String token, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "pair", "--peer", "10.99.0.12", "--token", token, "--ping-target", "10.99.0.10"));
    args.addAll(List.of(more));
    return lab.lbctl("lb1", args.toArray(String[]::new));
  }

  @Test
  void twoLoneNodesBecomeAPairThatFailsOverAndSurvivesARestartThenBreakApart() throws Exception {
    Path home1 = home("lb1", PORTAL);
    Path home2 = home("lb2", "virtualServices: []\n");
    startNode("lb1");
    startNode("lb2");
    assertThat(lab.pairState("lb1")).isEqualTo("alone");
    // Each node has accounts of its own; pairing makes the primary's the pair's.
    assertThat(lab.lbctl("lb1", "user", "add", "ward", "--role", "admin").exit()).isZero();
    CliRun made = lab.lbctl("lb1", "token", "create", "prometheus", "--user", "ward");
    assertThat(made.exit()).as(made.err()).isZero();
    Matcher madeId = Pattern.compile("lbctl_([0-9a-f]{8})_").matcher(made.out());
    assertThat(madeId.find()).as(made.out()).isTrue();
    assertThat(lab.lbctl("lb2", "user", "add", "night", "--role", "admin").exit()).isZero();
    String token = offer();

    // A wrong token is refused by the peer, and nothing changes on either node.
    CliRun wrong = pairFromLb1("abcde-fghij-kmnpq-rstuv-wxyz2-3");
    assertThat(wrong.exit()).isEqualTo(1);
    assertThat(wrong.err()).contains("pairing failed, nothing changed").contains("wrong token");
    assertThat(lab.pairState("lb1")).isEqualTo("alone");
    assertThat(home1.resolve("pair.yaml")).doesNotExist();

    CliRun paired = pairFromLb1(token);
    assertThat(paired.exit()).as(paired.err()).isZero();
    assertThat(paired.out()).contains("paired: this node is the primary (active)");
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(lab.pairState("lb1")).isEqualTo("active");
              assertThat(lab.pairState("lb2")).isEqualTo("passive");
              assertThat(lab.status("lb2").path("configVersion").asLong())
                  .isEqualTo(lab.status("lb1").path("configVersion").asLong())
                  .isPositive();
            });
    // The secondary took the primary's configuration into its own file; both hold the same
    // fresh secret, readable by the owner only.
    assertThat(Files.readString(home2.resolve("lbctl.yaml"))).contains("label: portal");
    assertThat(Files.readString(home1.resolve("pair.yaml"))).contains("role: primary");
    assertThat(Files.readString(home2.resolve("pair.yaml"))).contains("role: secondary");
    assertThat(Files.readString(home1.resolve("pair.secret")))
        .isEqualTo(Files.readString(home2.resolve("pair.secret")))
        .hasSizeGreaterThanOrEqualTo(64);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(home2.resolve("pair.secret"))))
        .isEqualTo("rw-------");
    await().atMost(Duration.ofSeconds(10)).until(() -> lab.curl().matches("rs[12]"));
    assertThat(lab.holdsVip("lb1")).isTrue();

    // The users and tokens are the primary's on both (hashes and all), the secondary's own gone;
    // a change on either node reaches the other.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(lab.log("lb2")).contains("from primary: users added [ward]"));
    assertSameAccounts(home1, home2);
    assertThat(Files.readString(home2.resolve("users.json")))
        .contains("\"ward\"")
        .doesNotContain("\"night\"");
    assertThat(lab.lbctl("lb2", "user", "add", "nurse", "--role", "operator").exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(Files.readString(home1.resolve("users.json"))).contains("\"nurse\""));
    assertThat(lab.lbctl("lb1", "token", "revoke", madeId.group(1)).exit()).isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(Files.readString(home2.resolve("tokens.json")))
                    .doesNotContain(madeId.group(1)));
    assertSameAccounts(home1, home2);

    // The pair works as a pair: kill -9 the primary, the secondary serves.
    lab.killAndAwaitTakeover("lb1");
    assertThat(lab.pairState("lb2")).isEqualTo("active");
    // A change made while lb1 is down reaches it on its return (checked below).
    assertThat(lab.lbctl("lb2", "user", "role", "nurse", "--role", "viewer").exit()).isZero();

    // Restarted on its unchanged node file, lb1 finds pair.yaml and rejoins as the primary.
    startNode("lb1");
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(lab.pairState("lb1")).isEqualTo("passive");
              assertThat(lab.status("lb1").path("pair").path("peer").path("state").asText())
                  .isEqualTo("active");
            });

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertSameAccounts(home1, home2));
    assertThat(Files.readString(home1.resolve("users.json"))).contains("\"viewer\"");

    // Break on the active secondary: both leave, the active one keeps the address and serves.
    CliRun broken = lab.lbctl("lb2", "pair", "--break");
    assertThat(broken.exit()).as(broken.err()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(lab.pairState("lb1")).isEqualTo("alone");
              assertThat(lab.pairState("lb2")).isEqualTo("alone");
            });
    for (Path home : List.of(home1, home2)) {
      assertThat(home.resolve("pair.yaml")).doesNotExist();
      assertThat(home.resolve("pair.secret")).doesNotExist();
    }
    assertThat(lab.holdsVip("lb2")).isTrue();
    assertThat(lab.holdsVip("lb1")).isFalse();
    assertThat(lab.curl()).matches("rs[12]");
    assertThat(lab.log("lb1")).contains("left the pair (broken by the operator on the peer)");
    assertThat(lab.lbctl("lb2", "pair", "--break").err()).contains("this node is not in a pair");
  }

  /** Both nodes keep the same users and tokens, byte for byte. */
  private static void assertSameAccounts(Path home1, Path home2) throws IOException {
    for (String file : List.of("users.json", "tokens.json")) {
      assertThat(Files.readString(home2.resolve(file)))
          .as(file)
          .isEqualTo(Files.readString(home1.resolve(file)));
    }
  }

  @Test
  void aPeerWithVirtualServicesOfItsOwnIsRefusedUnlessForcedAndItsFileIsKept() throws Exception {
    home("lb1", PORTAL);
    Path home2 = home("lb2", OTHER);
    startNode("lb1");
    startNode("lb2");
    String token = offer();

    CliRun refused = pairFromLb1(token);
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err())
        .contains("refused")
        .contains("virtual service(s) of its own (other)")
        .contains("--force")
        .contains("nothing changed");
    assertThat(lab.pairState("lb1")).isEqualTo("alone");
    assertThat(lab.pairState("lb2")).isEqualTo("alone");

    // The offer survives a refusal: the same token with --force pairs.
    CliRun forced = pairFromLb1(token, "--force");
    assertThat(forced.exit()).as(forced.err()).isZero();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(lab.pairState("lb2")).isEqualTo("passive");
              assertThat(Files.readString(home2.resolve("lbctl.yaml"))).contains("label: portal");
            });
    try (Stream<Path> files = Files.list(home2)) {
      Path kept =
          files
              .filter(f -> f.getFileName().toString().startsWith("lbctl.yaml.before-pair-"))
              .findFirst()
              .orElseThrow();
      assertThat(Files.readString(kept)).contains("label: other");
    }
    // A used token opens nothing any more.
    CliRun again = lab.lbctl("lb2", "pair", "--accept", "--listen", "10.99.0.12");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("already the secondary of a pair with 10.99.0.11");

    // With the primary gone, a break cannot reach it: refused unless forced, and forced it
    // leaves only this side.
    lab.kill("lb1");
    await().atMost(Duration.ofSeconds(10)).until(() -> lab.pairState("lb2").equals("active"));
    CliRun alone = lab.lbctl("lb2", "pair", "--break");
    assertThat(alone.exit()).isEqualTo(1);
    assertThat(alone.err())
        .contains("is not in the pair, so it cannot be told")
        .contains("--force");
    assertThat(lab.pairState("lb2")).isEqualTo("active");
    CliRun forcedBreak = lab.lbctl("lb2", "pair", "--break", "--force");
    assertThat(forcedBreak.exit()).as(forcedBreak.err()).isZero();
    assertThat(lab.pairState("lb2")).isEqualTo("alone");
    assertThat(home2.resolve("pair.yaml")).doesNotExist();
    assertThat(dir.resolve("lb1").resolve("pair.yaml")).as("lb1 was not told").exists();
  }
}
