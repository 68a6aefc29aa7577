package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String MULTI_PORT =
      """
      virtualServices:
        - label: vna
          address: 10.1.1.10
          ports: [12000, 12100, 12200]
          layer: 7
          scheduler: first
          fallback: {address: 10.1.2.10, port: 0}
          timeouts: {connect: 2s, client: 12h, server: 12h}
          realServers:
            - {label: vna1, address: 10.1.1.21, weight: 100}
            - {label: vna2, address: 10.1.1.22, port: 13000, weight: 0, maxConnections: 50}
      """;

  @Test
  void readsAMultiPortVipWithDefaultsFilledIn() throws Exception {
    ReplicatedConfig config = ConfigLoader.parse(MULTI_PORT);

    VirtualService vip = config.virtualServices().get(0);
    assertThat(vip.ports()).containsExactly(12000, 12100, 12200);
    assertThat(vip.layer()).isEqualTo(Layer.L7);
    assertThat(vip.mode()).isEqualTo(ForwardingMode.SNAT);
    assertThat(vip.scheduler()).isEqualTo(SchedulerKind.FIRST);
    assertThat(vip.fallback()).contains(new Fallback("10.1.2.10", 0));
    assertThat(vip.timeouts().client()).isEqualTo(Duration.ofHours(12));
    assertThat(vip.timeouts().queue()).isEqualTo(Timeouts.DEFAULT.queue());
    assertThat(vip.realServers().get(0))
        .isEqualTo(new RealServer("vna1", "10.1.1.21", 0, 100, 0, 0));
    assertThat(vip.realServers().get(0).targetPort(12100)).isEqualTo(12100);
    assertThat(vip.realServers().get(1).targetPort(12100)).isEqualTo(13000);
  }

  @Test
  void aBodyLimitReadsInBytesAndIsWrittenInTheLargestExactUnit() throws Exception {
    ReplicatedConfig config =
        ConfigLoader.parse(
            "virtualServices: [{label: v, address: 10.0.0.1, ports: [80], protocol: http,"
                + " maxRequestBody: 100MiB, realServers: [{label: a, address: 10.0.0.2, port: 80}]}]");
    assertThat(config.virtualServices().get(0).maxRequestBody()).isEqualTo(100L << 20);
    assertThat(ConfigWriter.toYaml(config)).contains("maxRequestBody: 100MiB");
    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
  }

  @Test
  void aDicomServiceReadsItsRoutesAndWritesThemBack() throws Exception {
    ReplicatedConfig config =
        ConfigLoader.parse(
            """
            virtualServices:
              - label: pacs
                address: 10.0.0.1
                ports: [104]
                protocol: dicom
                persistence: {mode: source-ip, timeout: 10m}
                dicom:
                  routes:
                    - {calledAeTitle: ARCHIVE, callingAeTitle: CT1, servers: [a]}
                    - {calledAeTitle: ARCHIVE, servers: [a, b], sources: [10.20.0.0/16]}
                  defaultServers: [b]
                  callingAeTitles: [CT1, MR1]
                  serverAeTitles: {a: ARCHIVE_A, b: ARCHIVE_B}
                  persistByCallingAe: true
                realServers:
                  - {label: a, address: 10.0.0.2, port: 104}
                  - {label: b, address: 10.0.0.3, port: 104}
            """);
    DicomRouting d = config.virtualServices().get(0).dicom().orElseThrow();
    assertThat(d.routes())
        .containsExactly(
            new AeRoute("ARCHIVE", Optional.of("CT1"), List.of("a")),
            new AeRoute("ARCHIVE", Optional.empty(), List.of("a", "b"), List.of("10.20.0.0/16")));
    assertThat(d.persistByCallingAe()).isTrue();
    assertThat(d.defaultServers()).contains(List.of("b"));
    assertThat(d.callingAeTitles()).containsExactly("CT1", "MR1");
    assertThat(d.serverAeTitles()).containsEntry("a", "ARCHIVE_A").containsEntry("b", "ARCHIVE_B");
    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
  }

  @Test
  void anHl7MessageServiceReadsItsSettingsAndWritesThemBack() throws Exception {
    ReplicatedConfig config =
        ConfigLoader.parse(
            """
            virtualServices:
              - label: feed
                address: 10.0.0.1
                ports: [2575]
                protocol: hl7-mllp
                hl7: {maxMessage: 4MiB, ackTimeout: 10s, resendOnNak: true, orderBy: sending-application}
                realServers: [{label: a, address: 10.0.0.2, port: 2575}]
            """);
    assertThat(config.virtualServices().get(0).hl7())
        .isEqualTo(
            new Hl7Settings(
                4L * 1024 * 1024, Duration.ofSeconds(10), true, Hl7Order.SENDING_APPLICATION));
    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
  }

  @Test
  void writtenConfigurationReadsBackEqual() throws Exception {
    ReplicatedConfig config = ConfigLoader.parse(MULTI_PORT);

    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
    assertThat(
            ConfigLoader.parse(
                ConfigWriter.toTree(config).toString().getBytes(StandardCharsets.UTF_8), true))
        .isEqualTo(config);
  }

  @Test
  void reportsEveryProblemAtOnceWithItsPath() {
    String bad =
        """
        virtualServices:
          - label: pacs
            address: 10.1.1.10
            ports: [104, 70000, 104]
            scheduler: fastest
            colour: blue
            timeouts: {connect: 5, client: 3 hours, server: 25h}
            realServers:
              - {label: a, address: pacs-1.example, weight: 130}
              - {label: a, address: 10.1.1.22, minConnections: 10, maxConnections: 5}
          - label: pacs
            address: 0.0.0.0
            ports: [104]
            layer: 5
        """;

    assertThatThrownBy(() -> ConfigLoader.parse(bad))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .contains(
                        "virtualServices[0].ports[1]: 70000 (expected: 1..65535)",
                        "virtualServices[0].ports[2]: 104 is listed twice",
                        "virtualServices[0].scheduler: 'fastest' (expected one of:"
                            + " weighted-least-connection, weighted-round-robin, first,"
                            + " source-hash)",
                        "virtualServices[0].timeouts.connect: expected a duration with a unit such"
                            + " as 300s, 60m or 12h, got number 5",
                        "virtualServices[0].timeouts.client: '3 hours' is not a duration (expected"
                            + " a number with a unit: ms, s, m, h, d)",
                        "virtualServices[0].timeouts.server: 25h (expected: 1s..1d)",
                        "virtualServices[0].realServers[0].address: 'pacs-1.example' is not an IP"
                            + " address (host names are not resolved)",
                        "virtualServices[0].realServers[0].weight: 130 (expected: 0..100)",
                        "virtualServices[0].realServers[1].minConnections: 10 is above"
                            + " maxConnections 5 (expected: 0..5)",
                        "virtualServices[1].layer: number 5 (expected: 4 or 7)")
                    .anyMatch(p -> p.startsWith("virtualServices[0].colour: unknown field")));
  }

  @Test
  void duplicateLabelsAndPortClashesAreRefused() {
    String bad =
        """
        virtualServices:
          - label: hl7
            address: 10.1.1.10
            ports: [2575, 6667]
            realServers: [{label: e1, address: 10.1.1.21}, {label: e1, address: 10.1.1.22}]
          - label: hl7
            address: 10.1.1.10
            ports: [6667]
          - label: any
            address: 0.0.0.0
            ports: [2575]
        """;

    assertThatThrownBy(() -> ConfigLoader.parse(bad))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "virtualServices[0].realServers[1].label: 'e1' is already used by"
                            + " realServers[0] of this virtual service",
                        "virtualServices[1].label: 'hl7' is already used by virtualServices[0]",
                        "virtualServices[1].ports[0]: 6667 on 10.1.1.10 clashes with"
                            + " virtualServices[0] (hl7) on 10.1.1.10",
                        "virtualServices[2].ports[0]: 2575 on 0.0.0.0 clashes with"
                            + " virtualServices[0] (hl7) on 10.1.1.10"));
  }

  @Test
  void labelsThatDifferOnlyInCaseAndOneServerUnderTwoLabelsAreRefused() {
    assertProblems(
        """
        virtualServices:
          - label: PACS
            address: 10.1.1.10
            ports: [104]
            realServers:
              - {label: ds1, address: 10.1.1.21, port: 104}
              - {label: DS1, address: 10.1.1.22, port: 104}
              - {label: ds3, address: 10.1.1.21, port: 104}
              - {label: ds4, address: 10.1.1.21, port: 11112}
          - label: pacs
            address: 10.1.1.11
            ports: [104]
            realServers: [{label: ds1, address: 10.1.1.21, port: 104}]
          - label: vna
            address: 10.1.1.12
            ports: [80, 81]
            realServers:
              - {label: v1, address: "2001:db8::1"}
              - {label: v2, address: "2001:0db8:0:0::1"}
        """,
        "virtualServices[0].realServers[1].label: 'DS1' differs only in case from 'ds1' of"
            + " realServers[0] of this virtual service: labels must differ in more than case",
        "virtualServices[0].realServers[2].address: 10.1.1.21:104 is already realServers[0]"
            + " ('ds1') of this virtual service: one server under two labels",
        "virtualServices[1].label: 'pacs' differs only in case from 'PACS' of virtualServices[0]:"
            + " labels must differ in more than case",
        "virtualServices[2].realServers[1].address: [2001:db8:0:0:0:0:0:1]:0 (the client's port)"
            + " is already realServers[0] ('v1') of this virtual service: one server under two"
            + " labels");
  }

  @Test
  void valuesThatOnlyYaml11ReadsAsBooleansOrNumbersAreRefusedWithTheirLine() throws Exception {
    // YAML 1.2 reads yes and Off as text, 0443 as 443 and 1_000 as text; YAML 1.1 (and Jackson's
    // default) as true, false, 291 and 1000.
    String doc =
        """
        virtualServices:
          - label: pacs
            address: 10.1.1.10
            ports: [0443, 104]
            transparent: yes
            forceHttps: Off
            realServers:
              - {label: a, address: 10.1.1.21, port: 104, maxConnections: 1_000}
              - {label: 'no', address: 10.1.1.22, port: 104, weight: 0x10}
        """;
    assertThatThrownBy(() -> ConfigLoader.parse(doc))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.problems())
                  .extracting(ConfigProblem::located)
                  .containsExactlyInAnyOrder(
                      "virtualServices[0].ports[0]: '0443' is 291 in YAML 1.1 (octal) but 443 in"
                          + " YAML 1.2: write the number meant without leading zeros, or quote it"
                          + " for text (line 4)",
                      "virtualServices[0].transparent: expected true or false, got text 'yes' (a"
                          + " boolean only in YAML 1.1: write true) (line 5)",
                      "virtualServices[0].forceHttps: expected true or false, got text 'Off' (a"
                          + " boolean only in YAML 1.1: write false) (line 6)",
                      "virtualServices[0].realServers[0].maxConnections: '1_000' is the number"
                          + " 1000 only in YAML 1.1 (text in YAML 1.2): write 1000, or quote it"
                          + " for text (line 8)");
              assertThat(e.getMessage()).contains("(line 4)", "(line 8)");
            });
    // Quoted, the same words are text; YAML 1.2's own spellings stay numbers and booleans.
    assertThat(
            ConfigLoader.parse(
                    doc.replace("0443", "443")
                        .replace("yes", "true")
                        .replace("Off", "FALSE")
                        .replace("1_000", "1000"))
                .virtualServices()
                .get(0)
                .realServers())
        .extracting(RealServer::label, RealServer::weight, RealServer::maxConnections)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", 100, 1000),
            org.assertj.core.groups.Tuple.tuple("no", 16, 0));
  }

  @Test
  void everyProblemNamesTheLineItsPathStartsOn() {
    String doc =
        """
        # a comment
        virtualServices:
          - label: pacs
            address: 10.1.1.10
            ports: [104]
            scheduler: fastest
            realServers:
              - {address: 10.1.1.21, port: 104}
              - label: b
                address: pacs-2.example
        """;
    assertThatThrownBy(() -> ConfigLoader.parse(doc))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.path() + "@" + p.line())
                    .containsExactlyInAnyOrder(
                        "virtualServices[0].scheduler@6",
                        // A missing field: the line of the object it is missing from.
                        "virtualServices[0].realServers[0].label@8",
                        "virtualServices[0].realServers[1].address@10"));
  }

  /** The configuration is refused with exactly these problems ("path: message"). */
  private static void assertProblems(String yaml, String... problems) {
    assertThatThrownBy(() -> ConfigLoader.parse(yaml))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(problems));
  }

  @Test
  void aDicomEchoCheckNeedsAeTitlesOfAtMostSixteenCharacters() throws Exception {
    String vip =
        """
        virtualServices:
          - label: pacs
            address: 10.1.1.10
            ports: [104]
            healthCheck: {type: dicom-echo, callingAeTitle: LOADBALANCER_NODE_1, calledAeTitle: ""}
            realServers: [{label: pacs1, address: 10.1.1.11, port: 104}]
        """;
    assertProblems(
        vip,
        "virtualServices[0].healthCheck.callingAeTitle: 'LOADBALANCER_NODE_1' is 19"
            + " characters; an AE title has at most 16",
        "virtualServices[0].healthCheck.calledAeTitle: an AE title must not be" + " empty");
    HealthCheck ok =
        ConfigLoader.parse(
                vip.replace("LOADBALANCER_NODE_1", "LOADBALANCER").replace("\"\"", "LB-SCP"))
            .virtualServices()
            .get(0)
            .healthCheck();
    assertThat(ok.callingAeTitle()).isEqualTo("LOADBALANCER");
    assertThat(ok.calledAeTitle()).isEqualTo("LB-SCP");
  }

  @Test
  void anHl7CheckWritesOnlyWhatAnMshFieldCanHold() {
    String vip =
        """
        virtualServices:
          - label: hl7
            address: 10.1.1.10
            ports: [2575]
            healthCheck: {type: hl7, hl7ReceivingApplication: "ADT|LAB", hl7MessageType: ""}
            realServers: [{label: engine1, address: 10.1.1.11, port: 2575}]
        """;
    assertProblems(
        vip,
        "virtualServices[0].healthCheck.hl7ReceivingApplication: 'ADT|LAB' holds a"
            + " character an MSH field cannot (| ~ \\ or a control)",
        "virtualServices[0].healthCheck.hl7MessageType: must not be empty (e.g." + " NMD^N02)");
  }

  @Test
  void anHttpsCheckThatVerifiesNeedsACaAndAClientCertificateNeedsItsKey() {
    assertProblems(
        """
        virtualServices:
          - label: ccw
            address: 10.1.1.10
            ports: [8443]
            healthCheck: {type: https-get, path: api/health, clientCertificateFile: /etc/c.pem}
            realServers: [{label: ccw1, address: 10.1.1.11, port: 8443}]
          - label: web
            address: 10.1.1.10
            ports: [80]
            healthCheck: {type: http-get, caFile: /etc/ca.pem}
            realServers: [{label: web1, address: 10.1.1.11, port: 80}]
          - label: web2
            address: 10.1.1.10
            ports: [81]
            healthCheck: {type: http-get, tls: true}
            realServers: [{label: web1, address: 10.1.1.11, port: 81}]
          - label: pacs
            address: 10.1.1.10
            ports: [2762]
            healthCheck: {type: dicom-echo, tls: true}
            realServers: [{label: pacs1, address: 10.1.1.11, port: 2762}]
        """,
        "virtualServices[0].healthCheck.path: 'api/health' is not a request path (starts with /,"
            + " no spaces)",
        "virtualServices[0].healthCheck.caFile: is required to verify the real servers'"
            + " certificates (or set verifyCertificate: false)",
        "virtualServices[0].healthCheck.clientKeyFile: a client certificate needs both"
            + " clientCertificateFile and clientKeyFile",
        "virtualServices[1].healthCheck.type: certificates are set but 'http-get' does not use TLS"
            + " (https-get does, dicom-echo with tls: true)",
        "virtualServices[2].healthCheck.tls: applies to dicom-echo only (use https-get)",
        "virtualServices[3].healthCheck.caFile: is required to verify the real servers'"
            + " certificates (or set verifyCertificate: false)");
  }

  @Test
  void alertsNeedMailboxesAndNeverSendAPasswordInClear() {
    assertProblems(
        """
        alerts:
          smtpHost: smtp.hospital.test
          security: none
          username: lbctl
          from: lbctl
          to: [netops@hospital.test, "two@@hospital.test"]
        virtualServices:
          - label: pacs
            address: 10.1.1.10
            ports: [104]
            alertRecipients: [pacs team]
            realServers: [{label: pacs1, address: 10.1.1.11, port: 104}]
        """,
        "alerts.from: 'lbctl' is not an email address",
        "alerts.to[1]: 'two@@hospital.test' is not an email address",
        "alerts.passwordFile: SMTP authentication needs both username and passwordFile",
        "alerts.security: 'none' would send the SMTP password in clear: use starttls or tls",
        "virtualServices[0].alertRecipients[0]: 'pacs team' is not an email address");
    assertProblems(
        """
        virtualServices:
          - label: pacs
            address: 10.1.1.10
            ports: [104]
            alertRecipients: [pacs@hospital.test]
            realServers: [{label: pacs1, address: 10.1.1.11, port: 104}]
        """,
        "virtualServices[0].alertRecipients: needs an alerts section (SMTP server and sender) to"
            + " send anything");
  }

  @Test
  void aCertificateIsPemFilesOrPfxOrUploaded() {
    assertProblems(
        """
        certificates:
          - {name: both, certificateFile: a.pem, keyFile: a.key, pfxFile: a.p12, passwordFile: pw}
          - {name: neither}
          - {name: half, certificateFile: a.pem}
          - {name: nopassword, pfxFile: a.p12}
          - {name: mixed, certificateFile: a.pem, keyFile: a.key, keyPem: k}
          - {name: halfuploaded, certificatePem: c}
        """,
        "certificates[0]: " + EITHER,
        "certificates[1]: " + EITHER,
        "certificates[2]: a PEM certificate needs both certificateFile and keyFile",
        "certificates[3].passwordFile: is required with pfxFile",
        "certificates[4]: " + EITHER,
        "certificates[5]: an uploaded certificate needs both certificatePem and keyPem");
  }

  private static final String EITHER =
      "give either certificateFile and keyFile (PEM), pfxFile and passwordFile"
          + " (PKCS#12), or certificatePem and keyPem (uploaded)";

  @Test
  void aTerminationNamesItsCertificateAndCaAndFrontsTheProxy() {
    assertProblems(
        """
        certificates:
          - {name: portal, certificateFile: /etc/lbctl/p.pem, keyFile: /etc/lbctl/p.key}
          - {name: portal, certificateFile: /etc/lbctl/q.pem, keyFile: /etc/lbctl/q.key}
        virtualServices:
          - label: web
            address: 10.1.1.10
            ports: [8444]
            layer: 4
            mode: nat
            termination: {port: 8444, certificate: client-cert, clientCa: mTLS, sni: {"bad host": portal, mychart.example: other}}
            realServers: [{label: web1, address: 10.1.1.11, port: 8443}]
        """,
        "certificates[1].name: 'portal' is already used by certificates[0]",
        "virtualServices[0].termination: TLS termination needs the proxy: layer 7 (TCP or HTTP"
            + " mode)",
        "virtualServices[0].termination.port: 8444 is also one of the VIP's plain ports",
        "virtualServices[0].termination.certificate: 'client-cert' is not in certificates [portal,"
            + " portal]",
        "virtualServices[0].termination.clientCa: 'mTLS' is not in caFamilies (none defined)",
        "virtualServices[0].termination.sni.bad host: 'bad host' is not a host name",
        "virtualServices[0].termination.sni.mychart.example: 'other' is not in certificates"
            + " [portal, portal]");
  }

  @Test
  void reencryptionNamesItsCaFamilyAndCertificateAndBelongsToTheProxy() {
    String vip =
        """
        virtualServices:
          - label: web
            address: 10.1.1.10
            ports: [443]
            layer: 4
            mode: nat
            realServers:
              - {label: web1, address: 10.1.1.11, port: 8443, reencrypt: %s}
        """;
    assertProblems(
        vip.formatted("{clientCertificate: lb}"),
        "virtualServices[0].realServers[0].reencrypt.verifyCa: is required");
    assertProblems(
        vip.formatted("{verifyCa: mTLS, clientCertificate: lb}"),
        "virtualServices[0].realServers[0].reencrypt: re-encryption needs the proxy: layer 7",
        "virtualServices[0].realServers[0].reencrypt.verifyCa: 'mTLS' is not in caFamilies (none"
            + " defined)",
        "virtualServices[0].realServers[0].reencrypt.clientCertificate: 'lb' is not in"
            + " certificates (none defined)");
  }

  @Test
  void featuresThisBuildCannotServeAreRefusedNotIgnored() {
    String later =
        """
        virtualServices:
          - label: dicom
            address: 10.1.1.10
            ports: [104]
            layer: 4
            mode: dr
            persistence: {mode: http-cookie, timeout: 300s}
        """;

    assertThatThrownBy(() -> ConfigLoader.parse(later))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .extracting(ConfigProblem::path)
                    .containsOnly("virtualServices[0].persistence.mode"));
  }

  @Test
  void sourceIpWithoutANetmaskKeepsEveryClientApartInIpv6AsInIpv4() throws Exception {
    ReplicatedConfig c =
        ConfigLoader.parse(
            "virtualServices: [{label: v, address: 10.0.0.1, ports: [1],"
                + " persistence: {mode: source-ip, timeout: 1m}}]");
    int netmask = c.virtualServices().get(0).persistence().netmask();
    // Two IPv6 clients of one /32 are two entries, not one (the old default of 32 grouped them).
    assertThat(
            org.lbctl.core.persistence.StickKeys.sourceIp(
                java.net.InetAddress.getByName("2001:db8::1"), netmask))
        .isEqualTo("2001:db8:0:0:0:0:0:1");
    assertThat(
            org.lbctl.core.persistence.StickKeys.sourceIp(
                java.net.InetAddress.getByName("10.1.2.3"), netmask))
        .isEqualTo("10.1.2.3");
  }

  @Test
  void persistenceNeedsATimeout() {
    String noTimeout =
        """
        virtualServices:
          - label: pacs
            address: 10.1.1.10
            ports: [104]
            persistence: {mode: last-successful}
            realServers: [{label: a, address: 10.1.1.21}]
        """;

    assertThatThrownBy(() -> ConfigLoader.parse(noTimeout))
        .hasMessageContaining(
            "virtualServices[0].persistence.timeout: is required for last-successful (e.g. 60m");
  }

  @Test
  void layerFourNeedsAModeAndLayerSevenRefusesOne() {
    String bad =
        """
        virtualServices:
          - {label: a, address: 10.1.1.10, ports: [1], layer: 4}
          - {label: b, address: 10.1.1.10, ports: [2], layer: 7, mode: nat}
          - {label: c, address: 10.1.1.10, ports: [3], layer: 4, mode: snat, protocol: http}
        """;

    assertThatThrownBy(() -> ConfigLoader.parse(bad))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "virtualServices[0].mode: is required for layer 4 (dr, nat or snat)",
                        "virtualServices[1].mode: 'nat' applies to layer 4 only; layer 7 is"
                            + " always a proxy",
                        "virtualServices[2].protocol: layer 4 forwards TCP; http, dicom and hl7-mllp need layer 7"));
  }

  @Test
  void missingRequiredFieldsAreNamed() {
    assertThatThrownBy(() -> ConfigLoader.parse("virtualServices: [{realServers: [{}]}]"))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "virtualServices[0].label: is required",
                        "virtualServices[0].address: is required",
                        "virtualServices[0].ports: is required (a list of one or more ports)",
                        "virtualServices[0].realServers[0].label: is required",
                        "virtualServices[0].realServers[0].address: is required"));
  }

  @Test
  void hostileDocumentsGetAMessageNotACrash() {
    String aliasBomb =
        """
        a: &a ["x","x","x","x","x","x","x","x","x"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        """;
    List<String> hostile =
        List.of(
            aliasBomb,
            "[".repeat(10_000),
            "virtualServices: [{label: a, label: b}]",
            "",
            "just text",
            "virtualServices: 7",
            "\u0000\u0001\u0002");

    for (String doc : hostile) {
      assertThatThrownBy(() -> ConfigLoader.parse(doc))
          .as("document %.30s", doc)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("problem");
    }
  }

  @Test
  void jsonDuplicateKeysAndOversizeFilesAreRefused(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("lb.json");
    Files.writeString(json, "{\"virtualServices\": [], \"virtualServices\": []}");
    assertThatThrownBy(() -> ConfigLoader.load(json))
        .hasMessageContaining("Duplicate field 'virtualServices'");

    Path big = dir.resolve("big.yaml");
    Files.write(big, new byte[ConfigLoader.MAX_BYTES + 1]);
    assertThatThrownBy(() -> ConfigLoader.load(big)).hasMessageContaining("expected at most");

    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml")))
        .hasMessageContaining("cannot read");
  }

  @Test
  void durationsAcceptUnitsAndCombinations() {
    assertThat(Durations.parse("300s")).isEqualTo(Duration.ofSeconds(300));
    assertThat(Durations.parse("60m")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.format(Duration.ofMinutes(720))).isEqualTo("12h");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    for (String bad : List.of("300", "s", "-1s", "1.5h", "1h 30m", "12 h")) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void eachFieldRuleHasItsMessage() {
    java.util.Map<String, String> cases = new java.util.LinkedHashMap<>();
    String vip = "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], %s}]";
    cases.put(
        vip.formatted("fallback: {port: 0}"), "virtualServices[0].fallback.address: is required");
    cases.put(
        vip.formatted("fallback: {address: 10.0.0.9, port: 70000}"),
        "virtualServices[0].fallback.port: 70000 (expected: 0..65535)");
    cases.put(
        vip.formatted("fallback: {enabled: maybe}"),
        "virtualServices[0].fallback.enabled: expected true or false, got text 'maybe'");
    cases.put(
        vip.formatted("persistence: {netmask: 129}"),
        "virtualServices[0].persistence.netmask: 129 (expected: 0..128)");
    cases.put(
        vip.formatted("persistence: {mode: sticky}"),
        "virtualServices[0].persistence.mode: 'sticky' (expected one of: none, source-ip,"
            + " http-cookie, last-successful)");
    cases.put(
        vip.formatted("healthCheck: {rise: 0}"),
        "virtualServices[0].healthCheck.rise: 0 (expected: 1..100)");
    cases.put(
        vip.formatted("healthCheck: {interval: 10ms}"),
        "virtualServices[0].healthCheck.interval: 10ms (expected: 100ms..1h)");
    cases.put(
        vip.formatted("timeouts: {queue: 2m}"),
        "virtualServices[0].timeouts.queue: 2m (expected: 0s..1m)");
    cases.put(
        vip.formatted("timeouts: 5s"),
        "virtualServices[0].timeouts: expected an object, got text '5s'");
    cases.put(
        vip.formatted("realServers: {label: r}"),
        "virtualServices[0].realServers: expected a list, got an object");
    cases.put(
        vip.formatted("realServers: [{label: r, address: 10.0.0.2, maxConnections: 1.5}]"),
        "virtualServices[0].realServers[0].maxConnections: expected a whole number, got number 1.5");
    cases.put(
        "virtualServices: [{label: 'bad label', address: 10.0.0.1, ports: [1]}]",
        "virtualServices[0].label: 'bad label' (expected 1-64 of A-Z a-z 0-9 _ . - starting with a"
            + " letter or digit)");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: []}]",
        "virtualServices[0].ports: expected a list of one or more ports, got a list");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: 80}]",
        "virtualServices[0].ports: expected a list of one or more ports, got number 80");
    cases.put(
        "virtualServices: [{label: v, address: '10.0.0.256', ports: [1]}]",
        "virtualServices[0].address: '10.0.0.256' is not an IP address (host names are not"
            + " resolved)");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [104], layer: 4, mode: dr,"
            + " realServers: [{label: a, address: 10.0.0.2, port: 11112}]}]",
        "virtualServices[0].realServers[0].port: 11112: dr cannot translate ports; use 0 (the port"
            + " the client connected to) or the VIP's port");
    String nat =
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], layer: 4, mode: nat, %s}]";
    cases.put(
        nat.formatted("scheduler: weighted-least-connection"),
        "virtualServices[0].scheduler: 'weighted-least-connection' needs connection counts the"
            + " kernel does not keep for layer 4 nat: use weighted-round-robin (a weighted per-flow"
            + " hash) or source-hash");
    cases.put(
        nat.formatted("persistence: {mode: last-successful, timeout: 60m}"),
        "virtualServices[0].persistence.mode: 'last-successful' needs a layer 7 VIP (the proxy);"
            + " layer 4 nat keeps clients by source-ip");
    cases.put(
        nat.formatted("persistence: {mode: source-ip, timeout: 60m, netmask: 24}"),
        "virtualServices[0].persistence.netmask: grouping clients by netmask is not available for"
            + " layer 4 nat yet");
    cases.put(
        nat.formatted("realServers: [{label: a, address: 10.0.0.2, port: 1, maxConnections: 9}]"),
        "virtualServices[0].realServers[0].maxConnections: connection limits need a layer 7 VIP"
            + " (the proxy); the kernel does not count layer 4 nat connections per server");
    cases.put(
        nat.formatted("realServers: [{label: a, address: 'fd00::2', port: 1}]"),
        "virtualServices[0].realServers[0].address: must be IPv4 like the VIP's address");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], forceHttps: true}]",
        "virtualServices[0].forceHttps: needs protocol: http");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], protocol: http,"
            + " maxRequestBody: lots}]",
        "virtualServices[0].maxRequestBody: expected a size such as 100MiB, 512KiB or a number of"
            + " bytes, got text 'lots'");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], trailers: keep}]",
        "virtualServices[0].trailers: 'keep' (expected one of: forward, drop)");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], trailers: drop}]",
        "virtualServices[0].trailers: needs protocol: http (TCP mode does not read bodies)");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], maxRequestBody: 1MiB}]",
        "virtualServices[0].maxRequestBody: needs protocol: http (TCP mode does not read bodies)");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], protocol: http,"
            + " persistence: {mode: http-cookie, cookie: 'a b'}}]",
        "virtualServices[0].persistence.cookie: 'a b' cannot be a cookie name");
    cases.put("virtualServices: [7]", "virtualServices[0]: expected an object, got number 7");
    String dicom =
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [104], protocol: dicom,"
            + " realServers: [{label: a, address: 10.0.0.2}], dicom: %s}]";
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], dicom: {defaultServers: []}}]",
        "virtualServices[0].dicom: needs protocol: dicom");
    cases.put(
        dicom.formatted("{routes: [{calledAeTitle: PACS, servers: [z]}]}"),
        "virtualServices[0].dicom.routes[0].servers[0]: 'z' is not a real server of this virtual"
            + " service [a]");
    cases.put(
        dicom.formatted("{routes: [{calledAeTitle: 'PACS\\1', servers: [a]}]}"),
        "virtualServices[0].dicom.routes[0].calledAeTitle: 'PACS\\\\1' holds a character an AE"
            + " title cannot (printable ASCII, no backslash)");
    cases.put(
        dicom.formatted("{callingAeTitles: [A_VERY_LONG_AE_TITLE], defaultServers: [a]}"),
        "virtualServices[0].dicom.callingAeTitles[0]: 'A_VERY_LONG_AE_TITLE' is 20 characters; an"
            + " AE title has at most 16");
    cases.put(
        dicom.formatted("{callingAeTitles: [CT1]}"),
        "virtualServices[0].dicom: routes no association: give routes (calledAeTitle and"
            + " servers), defaultServers, or both");
    cases.put(
        dicom.formatted(
            "{routes: [{calledAeTitle: PACS, servers: [a]}, {calledAeTitle: PACS, servers: [a]}]}"),
        "virtualServices[0].dicom.routes[1]: routes called AE title 'PACS' again; the first such"
            + " route always wins");
    cases.put(
        dicom.formatted("{routes: [{calledAeTitle: PACS, servers: []}]}"),
        "virtualServices[0].dicom.routes[0].servers: is empty (expected one or more real-server"
            + " labels)");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], hl7: {ackTimeout: 5s}}]",
        "virtualServices[0].hl7: needs protocol: hl7-mllp");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], protocol: hl7-mllp,"
            + " hl7: {maxMessage: 100}}]",
        "virtualServices[0].hl7.maxMessage: 100 bytes (expected 1KiB to 64MiB)");
    cases.put(
        "virtualServices: [{label: v, address: 10.0.0.1, ports: [1], protocol: hl7-mllp,"
            + " realServers: [{label: a, address: 10.0.0.2, reencrypt: {verifyCa: x}}]}]",
        "virtualServices[0].realServers[0].reencrypt: is not available in HL7 message mode yet"
            + " (protocol: tcp re-encrypts)");
    cases.put(
        dicom.formatted("{routes: [{calledAeTitle: ' PACS', servers: [a]}]}"),
        "virtualServices[0].dicom.routes[0].calledAeTitle: ' PACS' starts or ends with a space,"
            + " which DICOM ignores: it would never match");
    cases.put(
        dicom.formatted("{defaultServers: [a], serverAeTitles: {z: X, a: 'BAD\\\\'}}"),
        "virtualServices[0].dicom.serverAeTitles.z: 'z' is not a real server of this virtual"
            + " service [a]");
    cases.put(
        dicom.formatted("{routes: [{calledAeTitle: PACS, servers: [a], sources: [10.0.0.0/40]}]}"),
        "virtualServices[0].dicom.routes[0].sources[0]: '10.0.0.0/40' (expected a network such as"
            + " 10.20.0.0/16 or an address)");
    cases.put(
        dicom.formatted("{defaultServers: [a], persistByCallingAe: true}"),
        "virtualServices[0].dicom.persistByCallingAe: needs persistence mode source-ip (it scopes"
            + " the client's entry by Calling AE title)");
    cases.put(
        dicom.formatted("{rules: []}"),
        "virtualServices[0].dicom.rules: unknown field (expected one of: [callingAeTitles,"
            + " defaultServers, persistByCallingAe, routes, serverAeTitles])");
    cases.put(
        "vips: []",
        "vips: unknown field (expected one of: [alerts, caFamilies, certificates, floatingIps,"
            + " groups, members, virtualServices])");
    cases.put(
        "floatingIps: [10.99.1.1/33, gateway, 10.99.1.1, 10.99.1.1/24]",
        "floatingIps[0]: text '10.99.1.1/33' (expected an IP address with an optional /prefix)");
    cases.put(
        "floatingIps: [10.99.1.1, 10.99.1.1/24]", "floatingIps[1]: 10.99.1.1 is listed twice");

    cases.forEach(
        (doc, message) ->
            assertThatThrownBy(() -> ConfigLoader.parse(doc))
                .as(doc)
                .isInstanceOfSatisfying(
                    ConfigException.class,
                    e -> assertThat(e.problems()).map(ConfigProblem::toString).contains(message)));
  }

  @Test
  void yamlAliasesAreRefusedWhereTheyStand() {
    String doc =
        """
        x: &web [80, 443]
        virtualServices:
          - {label: v, address: 10.0.0.1, ports: *web}
        """;
    assertThatThrownBy(() -> ConfigLoader.parse(doc))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactly(
                        "line 3, column 42: YAML aliases (*web) are not supported; write the value"
                            + " out"));
  }

  @Test
  void floatingIpsAreTheVipAddressesAndTheExtraOnes() throws Exception {
    ReplicatedConfig c =
        ConfigLoader.parse(
            """
            floatingIps: [10.99.1.1/24, '2001:db8::1']
            virtualServices:
              - {label: a, address: 10.99.0.100, ports: [80]}
              - {label: b, address: 10.99.0.100, ports: [443]}
              - {label: c, address: 127.0.0.1, ports: [8080]}
              - {label: d, address: 0.0.0.0, ports: [8081]}
            """);
    assertThat(c.allFloatingIps())
        .map(FloatingIp::cidr)
        .containsExactly("10.99.0.100/32", "10.99.1.1/24", "2001:db8::1/128");
  }

  @Test
  void ipv6AddressesAreAccepted() throws Exception {
    ReplicatedConfig c =
        ConfigLoader.parse(
            "virtualServices: [{label: v, address: '2001:db8::10', ports: [104],"
                + " realServers: [{label: r, address: '2001:db8::21'}]}]");
    assertThat(c.virtualServices().get(0).address()).isEqualTo("2001:db8::10");
  }
}
