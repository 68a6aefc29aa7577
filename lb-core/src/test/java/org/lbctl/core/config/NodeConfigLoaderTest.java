package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void readsTheNodeFileWithPathsRelativeToIt() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file,
        "configFile: lbctl.yaml\nmanagementSocket: run/lb.sock\nioThreads: 2\ntransport: io_uring\n");

    NodeConfig node = NodeConfigLoader.load(file);

    assertThat(node.configFile()).contains(dir.resolve("lbctl.yaml"));
    assertThat(node.managementSocket()).isEqualTo(dir.resolve("run/lb.sock"));
    assertThat(node.ioThreads()).isEqualTo(2);
    assertThat(node.transport()).isEqualTo(TransportChoice.IO_URING);
  }

  @Test
  void readsADirectoryForManagementLoginsAndRefusesOneThatWouldLeakOrMisreadAnything()
      throws Exception {
    org.lbctl.core.testing.TestPki pki = org.lbctl.core.testing.TestPki.create(dir.resolve("pki"));
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        management:
          directory:
            url: ldaps://dc1.hospital.example
            caFile: pki/ca.crt
            userDn: "{user}@hospital.example"
            userBase: "ou=staff,dc=hospital,dc=example"
            groupBase: "ou=groups,dc=hospital,dc=example"
            groups:
              "cn=lb-admins,ou=groups,dc=hospital,dc=example": admin
              "cn=radiology-it,ou=groups,dc=hospital,dc=example": operator
        """);
    DirectorySettings d =
        NodeConfigLoader.load(file).https().orElseThrow().directory().orElseThrow();
    assertThat(d.host()).isEqualTo("dc1.hospital.example");
    assertThat(d.port()).isEqualTo(636);
    assertThat(d.startTls()).isFalse();
    assertThat(d.caFile()).isEqualTo(dir.resolve("pki/ca.crt"));
    assertThat(d.bindName("ward")).isEqualTo("ward@hospital.example");
    assertThat(d.groups())
        .containsEntry(
            "cn=radiology-it,ou=groups,dc=hospital,dc=example", org.lbctl.core.auth.Role.OPERATOR);
    assertThat(d.timeout()).hasSeconds(5);

    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        management:
          directory:
            url: ldap://dc1.hospital.example
            caFile: pki/missing.crt
            userDn: "{user}@hospital.example"
            groupBase: "not a dn"
            groups:
              "cn=lb-admins,dc=x": root
        """);
    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .anySatisfy(p -> assertThat(p).contains("url").contains("in clear"))
                    .anySatisfy(p -> assertThat(p).contains("caFile").contains("missing.crt"))
                    .anySatisfy(p -> assertThat(p).contains("userBase").contains("is required"))
                    .anySatisfy(p -> assertThat(p).contains("groupBase").contains("not a DN"))
                    .anySatisfy(
                        p -> assertThat(p).contains("groups.cn=lb-admins,dc=x").contains("root")));
  }

  @Test
  void defaultsTheSocketAndThreads() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, "configFile: /etc/lbctl/lbctl.yaml\n");

    NodeConfig node = NodeConfigLoader.load(file);

    assertThat(node.managementSocket()).isEqualTo(NodeConfig.DEFAULT_SOCKET);
    assertThat(node.ioThreads()).isZero();
    assertThat(node.transport()).isEqualTo(TransportChoice.AUTO);
    assertThat(node.scriptsDirectory()).isEqualTo(NodeConfig.DEFAULT_SCRIPTS);
    Files.writeString(file, "configFile: lbctl.yaml\nscriptsDirectory: checks\n");
    assertThat(NodeConfigLoader.load(file).scriptsDirectory()).isEqualTo(dir.resolve("checks"));
  }

  @Test
  void refusesUnknownFieldsMissingConfigAndBadValuesAllAtOnce() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file, "managementSocket: 7\nioThreads: -1\ntransport: uring\npeer: 10.0.0.2\n");

    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "peer: unknown field (expected one of: [auditSyslog, cluster, configFile,"
                            + " ioThreads, management, managementSocket, pair, scriptsDirectory,"
                            + " snmp, transport])",
                        "configFile: is required",
                        "managementSocket: expected text, got number 7",
                        "ioThreads: -1 (expected: 0..1024)",
                        "transport: 'uring' (expected one of auto, epoll, io_uring, nio)"));
  }

  @Test
  void theHttpsListenerIsOnAt9443WithAGeneratedCertificateUnlessToldOtherwise() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, "configFile: lbctl.yaml\n");
    NodeConfig plain = NodeConfigLoader.load(file);
    assertThat(plain.https()).contains(ManagementHttps.defaults());
    assertThat(plain.snmp()).isEmpty();

    Files.writeString(file, "configFile: lbctl.yaml\nmanagement: {listen: none}\n");
    assertThat(NodeConfigLoader.load(file).https()).isEmpty();

    Files.writeString(
        file,
        "configFile: lbctl.yaml\nmanagement: {listen: '10.0.0.5:8443', certificate: m.crt,"
            + " key: m.key}\n");
    ManagementHttps https = NodeConfigLoader.load(file).https().orElseThrow();
    assertThat(https.listen()).isEqualTo(new java.net.InetSocketAddress("10.0.0.5", 8443));
    assertThat(https.certificate().orElseThrow().key()).isEqualTo(dir.resolve("m.key"));

    Files.writeString(
        file, "configFile: lbctl.yaml\nmanagement: {listen: 'lb1:9443', certificate: m.crt}\n");
    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "management.listen: 'lb1:9443' (expected an IP address with an optional"
                            + " :port, or none)",
                        "management.key: is required with management.certificate (give both, or"
                            + " neither for a generated certificate)"));
  }

  @Test
  void snmpNeedsACommunityOrAUserEachFromAFileOfItsOwn() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(dir.resolve("community"), "s3cret-community\n");
    Files.writeString(dir.resolve("auth"), "auth-passphrase\n");
    Files.writeString(dir.resolve("priv"), "priv-passphrase\n");
    Files.writeString(dir.resolve("short"), "short\n");
    for (String f : List.of("community", "auth", "priv", "short")) {
      Files.setPosixFilePermissions(
          dir.resolve(f), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        snmp:
          listen: 127.0.0.1:1161
          communityFile: community
          users:
            - {name: monitor, authPasswordFile: auth, privPasswordFile: priv}
        """);
    SnmpSettings snmp = NodeConfigLoader.load(file).snmp().orElseThrow();
    assertThat(snmp.listen().getPort()).isEqualTo(1161);
    assertThat(snmp.community()).contains("s3cret-community");
    assertThat(snmp.users())
        .containsExactly(new SnmpSettings.User("monitor", "auth-passphrase", "priv-passphrase"));
    assertThat(snmp.toString()).doesNotContain("s3cret", "passphrase");

    // A secret others can read or write is refused, as the pair secret is.
    for (String mode : List.of("rw-r--r--", "rw-rw----", "rw-----w-")) {
      Files.setPosixFilePermissions(
          dir.resolve("community"), java.nio.file.attribute.PosixFilePermissions.fromString(mode));
      assertThatThrownBy(() -> NodeConfigLoader.load(file))
          .as(mode)
          .hasMessageContaining("snmp.communityFile")
          .hasMessageContaining("chmod 0600");
    }
    Files.setPosixFilePermissions(
        dir.resolve("community"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    assertThat(NodeConfigLoader.load(file).snmp()).isPresent();

    // Notifications: an address is a v2c receiver, {address, user} a v3 one as that user.
    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        snmp:
          users:
            - {name: monitor, authPasswordFile: auth, privPasswordFile: priv}
          engineId: "0x80001370046C62"
          traps:
            - {address: "10.0.0.10:1162", user: monitor}
        """);
    SnmpSettings v3 = NodeConfigLoader.load(file).snmp().orElseThrow();
    assertThat(v3.traps())
        .containsExactly(
            new SnmpSettings.Trap(
                new java.net.InetSocketAddress("10.0.0.10", 1162), Optional.of("monitor")));
    assertThat(v3.engineId()).contains("80001370046c62");
    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        snmp:
          users:
            - {name: monitor, authPasswordFile: auth, privPasswordFile: priv}
          engineId: "0x8000"
          traps:
            - 10.0.0.9
            - {address: 10.0.0.10, user: nobody}
        """);
    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .anySatisfy(p -> assertThat(p).startsWith("snmp.engineId: '0x8000'"))
                    .anySatisfy(
                        p -> assertThat(p).startsWith("snmp.traps[0]").contains("communityFile"))
                    .anySatisfy(
                        p ->
                            assertThat(p)
                                .startsWith("snmp.traps[1].user")
                                .contains("not one of snmp.users")));

    Files.writeString(file, "configFile: lbctl.yaml\nsnmp: {listen: 127.0.0.1}\n");
    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .hasMessageContaining("snmp: needs communityFile (v2c) or users (v3)");

    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        snmp:
          communityFile: short
          users: [{name: monitor, authPasswordFile: missing, privPasswordFile: priv}]
        """);
    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::path)
                    .containsExactlyInAnyOrder(
                        "snmp.communityFile", "snmp.users[0].authPasswordFile"));
  }

  @Test
  void theAuditLogGoesToASyslogServerOnlyWhenToldWithItsCa() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file, "configFile: lbctl.yaml\nauditSyslog: {address: 10.0.0.5, caFile: ca.pem}\n");
    AuditSyslog s = NodeConfigLoader.load(file).auditSyslog().orElseThrow();
    assertThat(s.address()).isEqualTo(new java.net.InetSocketAddress("10.0.0.5", 6514));
    assertThat(s.caFile()).isEqualTo(dir.resolve("ca.pem"));
    assertThat(s.serverName()).isEqualTo("10.0.0.5");

    Files.writeString(file, "configFile: lbctl.yaml\nauditSyslog: {address: 'syslog:6514'}\n");
    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::path)
                    .containsExactlyInAnyOrder("auditSyslog.address", "auditSyslog.caFile"));
  }

  @Test
  void refusesEmptyAndUnreadableFiles() throws Exception {
    Path empty = dir.resolve("empty.yaml");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> NodeConfigLoader.load(empty)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> NodeConfigLoader.load(dir.resolve("nope.yaml")))
        .hasMessageContaining("cannot read");
  }

  @Test
  void readsThePairSection() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        pair:
          role: secondary
          bind: 10.99.0.12
          peer: '10.99.0.11:6700'
          secretFile: pair.secret
          pingTargets: [10.99.0.1]
          failback: true
        """);

    PairSettings pair = NodeConfigLoader.load(file).pair().orElseThrow();

    assertThat(pair.role()).isEqualTo(PairRole.SECONDARY);
    assertThat(pair.bind()).hasToString("/10.99.0.12:6694");
    assertThat(pair.peer()).hasToString("/10.99.0.11:6700");
    assertThat(pair.secretFile()).isEqualTo(dir.resolve("pair.secret"));
    assertThat(pair.pingTargets()).containsExactly("10.99.0.1");
    assertThat(pair.failback()).isTrue();

    NodeConfig overridden =
        NodeConfigLoader.load(file)
            .withOverrides(
                Optional.of(Path.of("/etc/other.yaml")),
                Optional.empty(),
                OptionalInt.of(3),
                Optional.of(TransportChoice.NIO));
    assertThat(overridden.pair()).contains(pair);
    assertThat(overridden.configFile()).contains(Path.of("/etc/other.yaml"));
    assertThat(overridden.managementSocket()).isEqualTo(NodeConfig.DEFAULT_SOCKET);
    assertThat(overridden.ioThreads()).isEqualTo(3);
    assertThat(overridden.transport()).isEqualTo(TransportChoice.NIO);
  }

  @Test
  void refusesABrokenPairSectionWithEveryReason() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file,
        """
        configFile: lbctl.yaml
        pair: {role: master, bind: '10.99.0.12:99999', peer: lb2.example, pingTargets: [gw]}
        """);

    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "pair.role: 'master' (expected one of: primary, secondary)",
                        "pair.bind: '10.99.0.12:99999' (expected an IP address with an optional"
                            + " :port)",
                        "pair.peer: 'lb2.example' (expected an IP address with an optional :port)",
                        "pair.secretFile: is required",
                        "pair.pingTargets[0]: '\"gw\"' is not an IP address"));
  }

  private Path pairNode(String fencing) throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file,
        "configFile: lbctl.yaml\npair: {role: primary, bind: 10.99.0.11, peer: 10.99.0.12,"
            + " secretFile: pair.secret"
            + fencing
            + "}\n");
    return file;
  }

  @Test
  void aPairIsFencedWithAOneSecondLeaseUnlessToldOtherwise() throws Exception {
    assertThat(NodeConfigLoader.load(pairNode("")).pair().orElseThrow().fencing())
        .isEqualTo(Fencing.DEFAULT);
    assertThat(NodeConfigLoader.load(pairNode(", fencing: off")).pair().orElseThrow().fencing())
        .isEqualTo(Fencing.OFF);
    Fencing f =
        NodeConfigLoader.load(pairNode(", fencing: {lease: 2s, renew: 500ms}"))
            .pair()
            .orElseThrow()
            .fencing();
    assertThat(f.enabled()).isTrue();
    assertThat(f.lease()).hasSeconds(2);
    assertThat(f.renew()).hasMillis(500);
  }

  @Test
  void aLeaseThatWouldLapseBetweenRenewalsIsRefusedNamingTheField() throws Exception {
    assertThatThrownBy(() -> NodeConfigLoader.load(pairNode(", fencing: {lease: 1s, renew: 1s}")))
        .hasMessageContaining("pair.fencing.renew")
        .hasMessageContaining("not shorter than the lease");
    assertThatThrownBy(() -> NodeConfigLoader.load(pairNode(", fencing: {lease: 50ms}")))
        .hasMessageContaining("pair.fencing.lease");
    assertThatThrownBy(() -> NodeConfigLoader.load(pairNode(", fencing: {lease: 1s, ttl: 2s}")))
        .hasMessageContaining("pair.fencing.ttl");
    assertThatThrownBy(() -> NodeConfigLoader.load(pairNode(", fencing: maybe")))
        .hasMessageContaining("pair.fencing");
  }
}
