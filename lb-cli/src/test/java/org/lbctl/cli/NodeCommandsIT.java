package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.cluster.node.Node;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.os.Commands;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;
import org.lbctl.core.testing.TestClient;

/** lbctl's commands against a running node over its Unix socket. */
class NodeCommandsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path socket;
  private Path configFile;
  private TestBackend a;
  private TestBackend b;
  private Node node;
  private int vipPort;

  /** What one lbctl invocation printed and returned. */
  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  private Run lbctl(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    // --socket belongs to each subcommand; put it last so it follows the command words.
    all[args.length] = "--socket";
    all[args.length + 1] = socket.toString();
    return local(all);
  }

  /** A command that talks to no node (backup, restore). */
  private Run local(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = Lbctl.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return new Run(cl.execute(args), out.toString(), err.toString());
  }

  /** lbctl backup or restore FILE with the node file and the passphrase's file. */
  private Run sealed(String verb, Path file, Path node, Path passphrase, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                verb,
                file.toString(),
                "--node",
                node.toString(),
                "--passphrase-file",
                passphrase.toString()));
    args.addAll(List.of(more));
    return local(args.toArray(String[]::new));
  }

  private String config(int... ports) {
    StringBuilder p = new StringBuilder();
    for (int port : ports) {
      p.append(p.length() == 0 ? "" : ", ").append(port);
    }
    return """
        virtualServices:
          - label: pacs
            address: 127.0.0.1
            ports: [%s]
            scheduler: first
            realServers:
              - {label: pacs1, address: 127.0.0.1, port: %d}
              - {label: pacs2, address: 127.0.0.1, port: %d}
        """
        .formatted(p, a.port(), b.port());
  }

  @BeforeEach
  void start() throws Exception {
    a = TestBackend.start("pacs1", Mode.NAME_ECHO);
    b = TestBackend.start("pacs2", Mode.NAME_ECHO);
    vipPort = Ports.free();
    socket = dir.resolve("run/lbctl.sock");
    configFile = dir.resolve("lbctl.yaml");
    Files.writeString(configFile, config(vipPort));
    node = Node.start(new NodeConfig(Optional.of(configFile), socket, 1), Optional.empty());
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    a.close();
    b.close();
  }

  @Test
  void theSocketIsReadableOnlyByTheNodesUserAndGroup() throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-rw----");
    node.close();
    assertThat(socket).doesNotExist();
    node = Node.start(new NodeConfig(Optional.of(configFile), socket, 1), Optional.empty());
  }

  @Test
  void statusShowsEveryVirtualServiceAndRealServer() throws Exception {
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");

    Run table = lbctl("status");
    assertThat(table.exit()).isZero();
    assertThat(table.out()).contains("pacs", "pacs1", "pacs2", "UP", "online");
    assertThat(table.out()).contains("stick table: 0 entries (this node only)");

    JsonNode s = lbctl("status", "-o", "json").json();
    JsonNode vip = s.path("virtualServices").get(0);
    assertThat(vip.path("label").asText()).isEqualTo("pacs");
    assertThat(vip.path("totalConnections").asLong()).isEqualTo(1);
    assertThat(vip.path("realServers").get(0).path("totalConnections").asLong()).isEqualTo(1);
    assertThat(s.path("configHash").asText()).hasSize(64);
  }

  @Test
  void usersAreAddedWithAGivenOrAGeneratedPasswordAndBadOnesAreRefused() throws Exception {
    var stdin = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream("a long password\n".getBytes()));
      Run alice = lbctl("user", "add", "alice", "--password-stdin");
      assertThat(alice.exit()).as(alice.err()).isZero();
      assertThat(alice.out()).isEqualTo("user alice added (admin)\n");
    } finally {
      System.setIn(stdin);
    }
    Run bob = lbctl("user", "add", "bob");
    assertThat(bob.exit()).isZero();
    String generated = bob.out().replaceAll("(?s).*shown this once\\): (\\S+)\\s*", "$1");
    assertThat(generated).hasSize(20);

    // Salted hashes beside the configuration, readable by the node's user only.
    Path users = configFile.resolveSibling("users.json");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(users)).doesNotContain("a long password", generated);
    var store = org.lbctl.core.auth.UserStore.open(Optional.of(users));
    assertThat(store.verify("alice", "a long password")).isTrue();
    assertThat(store.verify("bob", generated)).isTrue();

    Run again = lbctl("user", "add", "alice");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("name: user 'alice' exists already");
    assertThat(lbctl("user", "add").exit()).isEqualTo(2);
    // The first user is an admin, a later one a viewer unless given a role.
    assertThat(lbctl("user", "list").out())
        .containsPattern("(?m)^alice +admin +no ")
        .containsPattern("(?m)^bob +viewer +no ");
    assertThat(lbctl("user", "role", "bob", "--role", "operator").out())
        .isEqualTo("user bob is now operator\n");
    Run badRole = lbctl("user", "role", "bob", "--role", "superuser");
    assertThat(badRole.exit()).isEqualTo(1);
    assertThat(badRole.err())
        .contains("role: 'superuser' (expected one of: viewer, operator, admin)");
    assertThat(lbctl("user", "list").out()).containsPattern("(?m)^bob +operator +no ");

    // A new password, generated; disabled, enabled; removed.
    Run passwd = lbctl("user", "passwd", "bob");
    assertThat(passwd.exit()).as(passwd.err()).isZero();
    String renewed = passwd.out().replaceAll("(?s).*shown this once\\): (\\S+)\\s*", "$1");
    var after = org.lbctl.core.auth.UserStore.open(Optional.of(users));
    assertThat(after.verify("bob", generated)).isFalse();
    assertThat(after.verify("bob", renewed)).isTrue();
    assertThat(lbctl("user", "disable", "bob").out()).isEqualTo("user bob disabled\n");
    assertThat(org.lbctl.core.auth.UserStore.open(Optional.of(users)).active("bob")).isFalse();
    assertThat(lbctl("user", "enable", "bob").exit()).isZero();
    assertThat(lbctl("user", "remove", "bob").out()).contains("user bob removed");
    assertThat(lbctl("user", "list").out()).doesNotContain("bob").contains("alice");
    Run gone = lbctl("user", "remove", "bob");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).contains("no management user 'bob'");
    assertThat(lbctl("user", "passwd").exit()).isEqualTo(2);
  }

  @Test
  void metricsArePrometheusTextWithHaproxyStyleNames() throws Exception {
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
    assertThat(lbctl("rip", "halt", "pacs", "pacs2").exit()).isZero();
    var r =
        Commands.run(
            Duration.ofSeconds(10),
            List.of(
                "curl",
                "-s",
                "-D",
                "-",
                "--unix-socket",
                socket.toString(),
                "http://lbctl/metrics"));
    assertThat(r.ok()).as(r.describe()).isTrue();
    String text = r.output();
    assertThat(text)
        .containsIgnoringCase("content-type: text/plain; version=0.0.4")
        .contains("# TYPE lbctl_frontend_sessions_total counter")
        .contains("lbctl_frontend_sessions_total{proxy=\"pacs\"} 1")
        .contains("lbctl_server_sessions_total{proxy=\"pacs\",server=\"pacs1\"} 1")
        .contains("lbctl_server_status{proxy=\"pacs\",server=\"pacs1\",state=\"UP\"} 1")
        .contains("lbctl_server_status{proxy=\"pacs\",server=\"pacs2\",state=\"MAINT\"} 1")
        .contains("lbctl_server_status{proxy=\"pacs\",server=\"pacs2\",state=\"UP\"} 0")
        .contains("lbctl_stick_table_entries 0");
    assertThat(lbctl("rip", "online", "pacs", "pacs2").exit()).isZero();
  }

  /** The first real server as {@code lbctl status -o json} shows it. */
  private JsonNode pacs1Status() throws Exception {
    return lbctl("status", "-o", "json")
        .json()
        .path("virtualServices")
        .get(0)
        .path("realServers")
        .get(0);
  }

  @Test
  void aCheckedServerThatStopsIsShownDownWithWhatTheCheckFound() throws Exception {
    Files.writeString(
        configFile,
        config(vipPort)
            .replace(
                "scheduler: first",
                "scheduler: first\n    healthCheck: {type: connect, interval: 100ms, timeout:"
                    + " 100ms, rise: 1, fall: 1}"));
    assertThat(lbctl("reload").exit()).isZero();
    int closed = a.port();
    a.close();
    await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> pacs1Status().path("health").asText().equals("down"));
    // The first server is down: the first scheduler sends clients to the second.
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs2:");
    Run table = lbctl("status");
    assertThat(table.out())
        .contains("LAST CHECK")
        .contains("connect to 127.0.0.1:" + closed + ": connection refused")
        .containsPattern("connected to 127.0.0.1:" + b.port() + " in \\d+ ms");
  }

  @Test
  void aServerThatGoesDownIsMailedToTheGlobalAndTheVipsRecipients() throws Exception {
    int smtpPort = Ports.free();
    var smtp =
        new com.icegreen.greenmail.util.GreenMail(
            new com.icegreen.greenmail.util.ServerSetup(smtpPort, "127.0.0.1", "smtp"));
    smtp.start();
    try {
      Files.writeString(
          configFile,
          """
          alerts:
            smtpHost: 127.0.0.1
            smtpPort: %d
            security: none
            from: lbctl@hospital.test
            to: [netops@hospital.test]
            minInterval: 1s
          """
                  .formatted(smtpPort)
              + config(vipPort)
                  .replace(
                      "scheduler: first",
                      "scheduler: first\n    alertRecipients: [pacs-team@hospital.test]\n"
                          + "    healthCheck: {type: connect, interval: 100ms, timeout: 100ms,"
                          + " rise: 1, fall: 2}"));
      assertThat(lbctl("reload").exit()).isZero();
      // Checked once and up (which mails nothing), then it stops.
      await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> pacs1Status().hasNonNull("lastCheck"));
      int closed = a.port();
      a.close();
      await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> smtp.getReceivedMessages().length >= 2);
      var mail = smtp.getReceivedMessages()[0];
      assertThat(mail.getSubject()).endsWith("] pacs: real server pacs1 DOWN");
      assertThat(mail.getAllRecipients())
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("netops@hospital.test", "pacs-team@hospital.test");
      assertThat((String) mail.getContent())
          .contains("connect to 127.0.0.1:" + closed + ": connection refused (2 in a row)");
    } finally {
      smtp.stop();
    }
  }

  @Test
  void haltMovesNewClientsAndOnlineBringsThemBack() throws Exception {
    Run halt = lbctl("rip", "halt", "pacs", "pacs1");
    assertThat(halt.exit()).isZero();
    assertThat(halt.out()).contains("pacs/pacs1: online -> halt");
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs2:");

    assertThat(lbctl("rip", "online", "pacs", "pacs1").exit()).isZero();
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
  }

  @Test
  void unknownNamesAreRefusedWithTheKnownOnes() {
    Run vip = lbctl("rip", "halt", "nope", "pacs1");
    assertThat(vip.exit()).isEqualTo(1);
    assertThat(vip.err()).contains("no virtual service 'nope' (known: pacs)");

    Run rip = lbctl("rip", "drain", "pacs", "nope");
    assertThat(rip.exit()).isEqualTo(1);
    assertThat(rip.err())
        .contains("virtual service 'pacs' has no real server 'nope' (known: pacs1, pacs2)");

    Run action = lbctl("rip", "stop", "pacs", "pacs1");
    assertThat(action.exit()).isEqualTo(2);
    assertThat(action.err()).contains("expected one of [online, drain, halt]");
  }

  @Test
  void reloadAppliesTheDifferenceAndKeepsOpenConnections() throws Exception {
    int added = Ports.free();
    try (TestClient open = TestClient.connect(vipPort)) {
      assertThat(open.readLine()).startsWith("pacs1:");
      Files.writeString(configFile, config(vipPort, added));

      Run reload = lbctl("reload");

      assertThat(reload.exit()).as(reload.err()).isZero();
      assertThat(reload.out())
          .contains("configuration reloaded: now v2")
          .contains("listening now on:  127.0.0.1:" + added);
      // A node alone numbers its versions in memory and writes nothing beside its file.
      assertThat(configFile.resolveSibling(configFile.getFileName() + ".version")).doesNotExist();
      open.send("ping\n");
      assertThat(open.readLine()).isEqualTo("ping");
      assertThat(TestClient.greeting(added)).startsWith("pacs1:");
    }
  }

  @Test
  void aBadFileIsRefusedOnReloadAndTheNodeKeepsRunningItsConfiguration() throws Exception {
    String before = lbctl("status", "-o", "json").json().path("configHash").asText();
    Files.writeString(configFile, config(vipPort).replace("port: " + b.port(), "port: 70000"));

    Run reload = lbctl("reload");

    assertThat(reload.exit()).isEqualTo(1);
    assertThat(reload.err())
        .contains("refused; the running configuration is unchanged")
        .contains("virtualServices[0].realServers[1].port: 70000 (expected: 0..65535)");
    assertThat(lbctl("status", "-o", "json").json().path("configHash").asText()).isEqualTo(before);
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
  }

  @Test
  void aCheckScriptThisNodeDoesNotHaveIsRefusedOnReload() throws Exception {
    String before = lbctl("status", "-o", "json").json().path("configHash").asText();
    Files.writeString(
        configFile,
        config(vipPort)
            .replace(
                "scheduler: first",
                "scheduler: first\n    healthCheck: {type: external, script: no-such-check}"));

    Run reload = lbctl("reload");

    assertThat(reload.exit()).isEqualTo(1);
    assertThat(reload.err())
        .contains(
            "virtualServices[0].healthCheck.script: 'no-such-check' is not an executable file in"
                + " /etc/lbctl/scripts");
    assertThat(lbctl("status", "-o", "json").json().path("configHash").asText()).isEqualTo(before);
  }

  @Test
  void vipGroupsAreRefusedOnReloadByANodeThatCannotMoveThem() throws Exception {
    String before = lbctl("status", "-o", "json").json().path("configHash").asText();
    Files.writeString(
        configFile,
        "floatingIps: [10.99.7.1/24]\ngroups: [{name: imaging, floatingIps: [10.99.7.1/24]}]\n"
            + config(vipPort));

    Run reload = lbctl("reload");

    assertThat(reload.exit()).isEqualTo(1);
    assertThat(reload.err()).contains("groups: VIP groups move between the nodes of a cluster");
    assertThat(lbctl("status", "-o", "json").json().path("configHash").asText()).isEqualTo(before);
  }

  @Test
  void configShowPrintsWhatConfigCheckAccepts() throws Exception {
    Run show = lbctl("config", "show");
    assertThat(show.exit()).isZero();
    Path copy = dir.resolve("copy.yaml");
    Files.writeString(copy, show.out());

    Run check = lbctl("config", "check", copy.toString());
    assertThat(check.exit()).isZero();
    assertThat(check.out()).contains("valid (1 virtual services)");
  }

  @Test
  void configCheckListsEveryProblemAndExitsOne() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(
        bad,
        """
        virtualServices:
          - {label: x, address: 10.0.0.1, ports: [0], realServers: [{label: r, address: nowhere, weight: -1}]}
        """);

    Run check = lbctl("config", "check", bad.toString());

    assertThat(check.exit()).isEqualTo(1);
    assertThat(check.err())
        .contains("3 problems")
        .contains("virtualServices[0].ports[0]: 0 (expected: 1..65535)")
        .contains("virtualServices[0].realServers[0].address: 'nowhere' is not an IP address")
        .contains("virtualServices[0].realServers[0].weight: -1 (expected: 0..100)");
    JsonNode json = lbctl("config", "check", bad.toString(), "-o", "json").json();
    assertThat(json.path("valid").asBoolean()).isFalse();
    assertThat(json.path("problems")).hasSize(3);
    assertThat(json.path("problems").get(0).path("line").asInt()).isEqualTo(2);
  }

  @Test
  void configCheckRefusesAmbiguousIdentitiesAndYaml11ValuesWithTheirLines() throws Exception {
    Path bad = dir.resolve("ambiguous.yaml");
    Files.writeString(
        bad,
        """
        virtualServices:
          - label: pacs
            address: 10.0.0.1
            ports: [0104]
            transparent: yes
            realServers:
              - {label: ds1, address: 10.0.0.21, port: 104}
              - {label: DS1, address: 10.0.0.22, port: 104}
              - {label: ds3, address: 10.0.0.21, port: 104}
        """);

    Run check = lbctl("config", "check", bad.toString());

    assertThat(check.exit()).isEqualTo(1);
    assertThat(check.err())
        .contains(
            "virtualServices[0].ports[0]: '0104' is 68 in YAML 1.1 (octal) but 104 in YAML 1.2")
        .contains("(line 4)")
        .contains("virtualServices[0].transparent: expected true or false, got text 'yes'")
        .contains("(line 5)");
    // With the values written out, what is ambiguous about the servers shows.
    Files.writeString(
        bad, Files.readString(bad).replace("[0104]", "[104]").replace("yes", "false"));
    check = lbctl("config", "check", bad.toString());
    assertThat(check.exit()).isEqualTo(1);
    assertThat(check.err())
        .contains("realServers[1].label: 'DS1' differs only in case from 'ds1'")
        .contains("(line 8)")
        .contains("realServers[2].address: 10.0.0.21:104 is already realServers[0] ('ds1')")
        .contains("(line 9)");
  }

  @Test
  void configCheckRefusesCertificateFilesTheNodeWouldRefuseAndWarnsOfExpiry() throws Exception {
    org.lbctl.core.testing.TestPki pki = org.lbctl.core.testing.TestPki.create(dir.resolve("pki"));
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    java.util.function.BiFunction<Path, Path, Path> config =
        (cert, key) -> {
          Path f = dir.resolve("tls-" + cert.getFileName() + "-" + key.getFileName() + ".yaml");
          try {
            return Files.writeString(
                f,
                "certificates: [{name: web, certificateFile: "
                    + cert
                    + ", keyFile: "
                    + key
                    + "}]\nvirtualServices: []\n");
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };

    // Valid, and the leaf expires in two days: warned.
    Run good =
        lbctl("config", "check", config.apply(pki.cert("server"), pki.key("server")).toString());
    assertThat(good.exit()).as(good.err()).isZero();
    assertThat(good.err()).contains("warning: certificate web").contains("renew it");

    // Each of these `lbctl run` refuses at start; the check says so with the certificate's path.
    for (Path[] bad :
        List.of(
            new Path[] {dir.resolve("missing.pem"), pki.key("server")},
            new Path[] {empty, pki.key("server")},
            new Path[] {dir, pki.key("server")},
            new Path[] {pki.cert("server"), pki.key("server2")})) {
      Run check = lbctl("config", "check", config.apply(bad[0], bad[1]).toString());
      assertThat(check.exit()).as("%s with %s", bad[0], bad[1]).isEqualTo(1);
      assertThat(check.err()).contains("certificates[0]");
    }
  }

  @Test
  void theApiAnswersBadRequestsWithFourHundredsAndAReason() throws Exception {
    ApiClient api = new UnixSocketClient(socket);
    String path = "/v1/virtual-services/pacs/real-servers/pacs1/admin-state";

    assertThat(api.call("PUT", path, "{not json").status()).isEqualTo(400);
    assertThat(api.call("PUT", path, "{not json").error()).startsWith("body is not JSON");
    assertThat(api.call("PUT", path, "{\"state\": \"off\"}").error())
        .isEqualTo("state: 'off' (expected one of: online, drain, halt)");
    assertThat(api.call("PUT", path, "[]").status()).isEqualTo(400);
    assertThat(api.call("GET", path, null).status()).isEqualTo(405);
    assertThat(api.call("GET", "/v1/nothing", null).status()).isEqualTo(404);
    assertThat(api.call("DELETE", "/v1/status", null).error())
        .isEqualTo("DELETE is not allowed here (expected: GET)");
    // The API's table of operations decides (it names each one's role): what it lacks is refused.
    assertThat(api.call("DELETE", "/v1/config", null).error())
        .isEqualTo("DELETE is not allowed here (expected: GET, PUT)");
    // Nothing changed.
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
  }

  @Test
  void pairingRequestsThatCannotBeRightAreRefusedWithTheFieldAndChangeNothing() throws Exception {
    ApiClient api = new UnixSocketClient(socket);

    assertThat(api.call("POST", "/v1/pair", "{\"peer\": \"10.0.0.2\", \"token\": \"x\"}").error())
        .startsWith("pingTargets: required");
    assertThat(
            api.call("POST", "/v1/pair", "{\"peer\": \"db.example\", \"pingTargets\": []}").error())
        .isEqualTo("peer: \"db.example\" (expected an IP address with an optional :port)");
    assertThat(
            api.call(
                    "POST",
                    "/v1/pair",
                    "{\"peer\": \"127.0.0.2\", \"token\": \"x\", \"pingTargets\": [\"gw\"]}")
                .error())
        .isEqualTo("pingTargets[0]: \"gw\" is not an IP address");
    assertThat(api.call("POST", "/v1/pair", "{\"peer\": \"127.0.0.2\", \"colour\": 1}").error())
        .startsWith("unknown field 'colour' (expected: bind, failback, force, interface, peer");
    var badToken =
        api.call(
            "POST",
            "/v1/pair",
            "{\"peer\": \"127.0.0.2\", \"token\": \"guess\", \"pingTargets\": []}");
    assertThat(badToken.status()).isEqualTo(400);
    assertThat(badToken.error()).startsWith("token: not a pairing token");
    // Nobody offers pairing on 127.0.0.2: refused with what to do, and the node stays alone.
    String token = "abcde-fghij-kmnpq-rstuv-wxyz2-3";
    var nobody =
        api.call(
            "POST",
            "/v1/pair",
            "{\"peer\": \"127.0.0.2:%d\", \"token\": \"%s\", \"pingTargets\": []}"
                .formatted(Ports.free(), token));
    assertThat(nobody.status()).isEqualTo(502);
    assertThat(nobody.error()).contains("run `lbctl pair --accept` on the peer first");
    assertThat(api.call("POST", "/v1/pair/accept", "{\"listen\": \"192.0.2.1\"}").error())
        .startsWith("192.0.2.1 is not an address of this node");
    assertThat(api.call("POST", "/v1/pair/break", null).error())
        .isEqualTo("this node is not in a pair");
    assertThat(api.call("GET", "/v1/status", null).body().path("pair").isNull()).isTrue();
    assertThat(dir.resolve("pair.yaml")).doesNotExist();
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
  }

  @Test
  void stickShowListsTheEntriesAndClearSendsTrafficBackToTheFirstServer() throws Exception {
    Files.writeString(
        configFile,
        config(vipPort)
            .replace(
                "scheduler: first",
                "scheduler: first\n    persistence: {mode: last-successful, timeout: 720m}"));
    assertThat(lbctl("reload").exit()).isZero();
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
    // pacs1 halted: pacs2 serves and becomes the last successful server...
    assertThat(lbctl("rip", "halt", "pacs", "pacs1").exit()).isZero();
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs2:");
    assertThat(lbctl("rip", "online", "pacs", "pacs1").exit()).isZero();
    // ...and keeps the traffic after pacs1 is back.
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs2:");

    Run show = lbctl("stick", "show", "pacs");
    assertThat(show.out())
        .contains("pacs: persistence last-successful, timeout 12h, 1 entries")
        .containsPattern("\\*\\s+pacs2\\s+20");
    Run clear = lbctl("stick", "clear", "pacs");
    assertThat(clear.out()).contains("pacs: stick table cleared (1 entries)");
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");

    Run unknown = lbctl("stick", "clear", "nope");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no virtual service 'nope' (known: pacs)");
  }

  @Test
  void commandsSayWhenNoNodeIsRunning() {
    node.close();
    Run status = lbctl("status");
    assertThat(status.exit()).isEqualTo(1);
    assertThat(status.err()).contains("cannot reach the node at " + socket);
    node = null;
  }

  @Test
  void aBackupPutsTheNodesFilesBackAndARefusedRestoreChangesNothing() throws Exception {
    Path etc = Files.createDirectories(dir.resolve("etc"));
    org.lbctl.core.testing.TestPki pki = org.lbctl.core.testing.TestPki.create(dir.resolve("pki"));
    Path node = etc.resolve("node.yaml");
    Files.writeString(node, "configFile: lbctl.yaml\nmanagementSocket: run/lbctl.sock\n");
    String original =
        config(org.lbctl.core.testing.Ports.free())
            + "certificates:\n  - {name: portal, certificateFile: "
            + pki.cert("server")
            + ", keyFile: "
            + pki.key("server")
            + "}\n";
    Files.writeString(etc.resolve("lbctl.yaml"), original);
    Files.writeString(etc.resolve("users.json"), "{\"users\": []}\n");
    byte[] key = Files.readAllBytes(pki.key("server"));
    Path pass = dir.resolve("passphrase");
    Files.writeString(pass, "a long backup passphrase\n");
    Path wrong = dir.resolve("wrong");
    Files.writeString(wrong, "another long passphrase\n");
    Path backup = dir.resolve("node.lbk");

    Run made = sealed("backup", backup, node, pass);
    assertThat(made.exit()).as(made.err()).isZero();
    assertThat(made.out()).contains("5 files"); // node file, configuration, users, cert, key
    String sealed =
        new String(Files.readAllBytes(backup), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(sealed).startsWith("LBCTL-BACKUP-1").doesNotContain("PRIVATE KEY", "pacs1", "users");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)))
        .isEqualTo("rw-------");

    // The node's files change; a wrong passphrase and a changed byte are refused, nothing moves.
    Files.writeString(etc.resolve("lbctl.yaml"), "# edited since\n" + original);
    Files.delete(pki.key("server"));
    Run refused = sealed("restore", backup, node, wrong);
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err())
        .contains("wrong passphrase, or the backup was changed since it was made");
    byte[] bytes = Files.readAllBytes(backup);
    bytes[bytes.length - 40] ^= 1;
    Path damaged = dir.resolve("damaged.lbk");
    Files.write(damaged, bytes);
    assertThat(sealed("restore", damaged, node, pass).err()).contains("the backup was changed");
    assertThat(Files.readString(etc.resolve("lbctl.yaml"))).startsWith("# edited since");
    assertThat(pki.key("server")).doesNotExist();

    Run restored = sealed("restore", backup, node, pass);
    assertThat(restored.exit()).as(restored.err()).isZero();
    assertThat(restored.out()).contains("5 files restored");
    assertThat(Files.readString(etc.resolve("lbctl.yaml"))).isEqualTo(original);
    assertThat(Files.readAllBytes(pki.key("server"))).isEqualTo(key);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.key("server"))))
        .isEqualTo("rw-------");

    // Files that would not run are not put back: a configuration the node refuses.
    Path bad = dir.resolve("bad.lbk");
    Files.writeString(etc.resolve("lbctl.yaml"), original.replace("ports: [", "ports: [0, "));
    Run badMade = sealed("backup", bad, node, pass);
    assertThat(badMade.exit()).as(badMade.err()).isZero();
    Files.writeString(etc.resolve("lbctl.yaml"), original);
    Run badRestore = sealed("restore", bad, node, pass);
    assertThat(badRestore.exit()).isEqualTo(1);
    assertThat(badRestore.err())
        .contains("would not run, nothing changed")
        .contains("virtualServices[0].ports[0]: 0 (expected: 1..65535)");
    assertThat(Files.readString(etc.resolve("lbctl.yaml"))).isEqualTo(original);

    // Under another root (a new machine being set up) rather than where they were.
    Path elsewhere = dir.resolve("new-host");
    Run moved = sealed("restore", backup, node, pass, "--root", elsewhere.toString());
    assertThat(moved.exit()).as(moved.err()).isZero();
    Path copy =
        elsewhere.resolve(etc.resolve("lbctl.yaml").toAbsolutePath().toString().substring(1));
    assertThat(Files.readString(copy)).isEqualTo(original);
  }

  @Test
  void configCheckFollowsTheNodeFileToItsConfiguration() throws Exception {
    Path nodeFile = dir.resolve("node.yaml");
    Files.writeString(nodeFile, "configFile: lbctl.yaml\nmanagementSocket: run/lbctl.sock\n");

    Run ok = lbctl("config", "check", "--node", nodeFile.toString());
    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).contains(configFile + ": valid (1 virtual services)");

    assertThat(ok.err()).doesNotContain("warning");

    // A pair without ping targets, unfenced: valid, but said to be less safe.
    Files.writeString(
        nodeFile,
        "configFile: lbctl.yaml\npair: {role: primary, bind: 10.99.0.11, peer: 10.99.0.12,"
            + " secretFile: pair.secret, fencing: off}\n");
    Files.writeString(dir.resolve("pair.secret"), "0123456789abcdef0123456789abcdef\n");
    Files.setPosixFilePermissions(
        dir.resolve("pair.secret"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Run exposed = lbctl("config", "check", "--node", nodeFile.toString());
    assertThat(exposed.exit()).isEqualTo(1);
    assertThat(exposed.err()).contains("pair.secretFile").contains("readable by everyone");
    Files.setPosixFilePermissions(
        dir.resolve("pair.secret"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-----w-"));
    assertThat(lbctl("config", "check", "--node", nodeFile.toString()).err())
        .contains("writable by others");
    Files.setPosixFilePermissions(
        dir.resolve("pair.secret"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Run unguarded = lbctl("config", "check", "--node", nodeFile.toString());
    assertThat(unguarded.exit()).as(unguarded.err()).isZero();
    assertThat(unguarded.err())
        .contains("warning: pair.pingTargets is empty")
        .contains("warning: pair.fencing is off");

    // A cluster member: its secret is checked the same way.
    Files.writeString(
        nodeFile,
        "configFile: lbctl.yaml\ncluster:\n  name: lb1\n  secretFile: cluster.secret\n"
            + "  members: [{name: lb1, address: 10.99.0.11}, {name: lb2, address: 10.99.0.12},"
            + " {name: lb3, address: 10.99.0.13}]\n");
    Run noSecret = lbctl("config", "check", "--node", nodeFile.toString());
    assertThat(noSecret.exit()).isEqualTo(1);
    assertThat(noSecret.err())
        .contains("cluster.secretFile: cluster secret " + dir.resolve("cluster.secret"))
        .contains("does not exist");

    Files.writeString(nodeFile, "configFile: missing.yaml\n");
    Run missing = lbctl("config", "check", "--node", nodeFile.toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("cannot read " + dir.resolve("missing.yaml"));
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(lbctl("config", "check").exit()).isEqualTo(2);
    assertThat(lbctl("frobnicate").exit()).isEqualTo(2);
    assertThat(lbctl("run", "--demo", "--config", configFile.toString()).exit()).isEqualTo(2);
    assertThat(lbctl("run", "--config", configFile.toString(), "--io-threads", "-1").exit())
        .isEqualTo(2);
    Run transport = lbctl("run", "--config", configFile.toString(), "--transport", "uring");
    assertThat(transport.exit()).isEqualTo(2);
    assertThat(transport.err())
        .contains("--transport: 'uring' (expected one of auto, epoll, io_uring, nio)");
  }

  @Test
  void hostileFilesOnReloadAreRefusedAndChangeNothing() throws Exception {
    String before = lbctl("status", "-o", "json").json().path("configHash").asText();
    java.util.List<String> hostile =
        java.util.List.of(
            "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                + "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
            "[".repeat(100_000),
            "virtualServices: [{label: a, label: b}]",
            "\u0000\u0001garbage");
    for (String doc : hostile) {
      Files.writeString(configFile, doc);
      Run reload = lbctl("reload");
      assertThat(reload.exit()).as(doc.substring(0, Math.min(20, doc.length()))).isEqualTo(1);
      assertThat(reload.err()).contains("refused; the running configuration is unchanged");
    }
    assertThat(lbctl("status", "-o", "json").json().path("configHash").asText()).isEqualTo(before);
    assertThat(TestClient.greeting(vipPort)).startsWith("pacs1:");
  }
}
