package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each deployment profile in deploy/profiles/ is a valid configuration that encodes its guide's VIP
 * table (../shared/seeds/): labels, layers and modes, ports, schedulers, persistence and timeouts,
 * checks, fallbacks, TLS.
 */
class ProfilesTest {
  private static final Path DIR = Path.of("..", "deploy", "profiles");

  private static ReplicatedConfig load(String name) throws Exception {
    return ConfigLoader.parse(Files.readString(DIR.resolve(name + ".yaml")));
  }

  /** One row of a guide's table: label, layer, mode, ports, persistence, check. */
  private static String row(VirtualService v) {
    return String.join(
        " ",
        v.label(),
        "L" + v.layer().number(),
        v.layer() == Layer.L4 ? v.mode().configName() : v.protocol().configName(),
        v.ports().toString(),
        v.persistence().mode().configName(),
        v.healthCheck().type().configName());
  }

  @Test
  void everyProfileHasAReadme() throws Exception {
    try (Stream<Path> files = Files.list(DIR)) {
      List<String> profiles =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .map(n -> n.substring(0, n.length() - 5))
              .sorted()
              .toList();
      assertThat(profiles).containsExactly("epic", "ge-ccw", "iconnect", "insignia", "mach7");
      for (String p : profiles) {
        assertThat(DIR.resolve(p + ".md")).as(p).exists();
      }
    }
  }

  @Test
  void iconnectIsOneNatVipOnSevenPortsFallingBackToTheSecondaryCluster() throws Exception {
    ReplicatedConfig c = load("iconnect");
    assertThat(c.virtualServices())
        .extracting(ProfilesTest::row)
        .containsExactly(
            "VNA L4 nat [12000, 12100, 12200, 12300, 12301, 12950, 12800] none all-ports");
    VirtualService vna = c.virtualServices().get(0);
    assertThat(vna.healthCheck().interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(vna.healthCheck().fall()).isEqualTo(10);
    assertThat(vna.fallback()).contains(new Fallback("192.168.100.120", 0, true));
    assertThat(vna.realServers()).singleElement().satisfies(r -> assertThat(r.port()).isZero());
    assertThat(c.allFloatingIps()).extracting(FloatingIp::address).contains("192.168.100.254");
  }

  @Test
  void mach7IsFourTcpModeVipsWithSourceIpPersistence() throws Exception {
    assertThat(load("mach7").virtualServices())
        .extracting(ProfilesTest::row)
        .containsExactly(
            "DICOM L7 tcp [11112] source-ip connect",
            "HL7 L7 tcp [6667] source-ip connect",
            "DMWL L7 tcp [5104] source-ip connect",
            "HTTPS L7 tcp [443] source-ip connect");
  }

  @Test
  void geCcwIsTheFifteenVipsOfItsTable() throws Exception {
    ReplicatedConfig c = load("ge-ccw");
    assertThat(c.virtualServices())
        .extracting(ProfilesTest::row)
        .containsExactly(
            "CCW_WEB_443 L7 tcp [444] source-ip connect",
            "CCW_WEB_8443 L7 http [8444] http-cookie connect",
            "CCW_WEB_44301 L7 tcp [4431] source-ip connect",
            "CCW_WEB_8070-49200-49201 L7 tcp [8070, 49200, 49201] source-ip connect",
            "CCW_NOTIFICATION L7 tcp [4430] last-successful https-get",
            "CCW_DICOMSERVICE_VS L4 dr [104] none dicom-echo",
            "CCW_DICOMSERVER_VS L4 dr [1230] none dicom-echo",
            "CCW_DICOM_1115 L4 dr [1115] none dicom-echo",
            "CCW_DICOM_1299 L4 dr [1299] none dicom-echo",
            "CCG_IB_2101 L7 tcp [2101] last-successful connect",
            "CCG_IB_2102 L7 tcp [2102] last-successful connect",
            "EMR_INBOUND L7 tcp [4001] last-successful connect",
            "PORT_EMR_IB L7 tcp [4002] last-successful connect",
            "PORT_CCG_IB_2103 L7 tcp [2103] last-successful connect",
            "PORT_CCG_IB_2104 L7 tcp [2104] last-successful connect");
    List<VirtualService> v = c.virtualServices();
    assertThat(v.subList(0, 5))
        .extracting(x -> x.termination().map(Termination::port).orElse(0))
        .containsExactly(443, 8443, 44301, 0, 44300);
    assertThat(v.get(0).termination().orElseThrow().clientCa()).isEqualTo("mTLS");
    assertThat(v.get(0).realServers())
        .allSatisfy(
            r ->
                assertThat(r.reencrypt().orElseThrow().clientCertificate())
                    .isEqualTo("client-cert"));
    VirtualService notification = v.get(4);
    assertThat(notification.scheduler()).isEqualTo(SchedulerKind.FIRST);
    assertThat(notification.persistence().timeout()).isEqualTo(Duration.ofMinutes(720));
    assertThat(notification.healthCheck().http().path()).isEqualTo("/api/health/");
    assertThat(notification.healthCheck().http().expectBody()).isEqualTo("allServicesOperative");
    assertThat(notification.healthCheck().http().bodyMatch()).isEqualTo(BodyMatch.EQUALS);
    assertThat(notification.timeouts().client()).isEqualTo(Duration.ofHours(12));
    assertThat(notification.timeouts().server()).isEqualTo(Duration.ofHours(12));
    assertThat(v.get(5).healthCheck().callingAeTitle()).isEqualTo("LOADBALANCER");
    assertThat(v.get(5).healthCheck().calledAeTitle()).isEqualTo("LB-SCP");
    assertThat(v.subList(9, 15))
        .allSatisfy(
            x -> {
              assertThat(x.scheduler()).isEqualTo(SchedulerKind.FIRST);
              assertThat(x.fallback()).isEmpty();
            });
  }

  @Test
  void epicIsTcpModeOn443WithSixtyMinutesAndPort80Redirects() throws Exception {
    List<VirtualService> v = load("epic").virtualServices();
    assertThat(v)
        .extracting(ProfilesTest::row)
        .containsExactly(
            "Hyperspace L7 tcp [443] source-ip connect",
            "Hyperspace_redirect L7 http [80] none none",
            "MyChart L7 tcp [443] source-ip connect",
            "MyChart_redirect L7 http [80] none none");
    assertThat(v.get(0).persistence().timeout()).isEqualTo(Duration.ofMinutes(60));
    assertThat(v.get(1).forceHttps()).isTrue();
    assertThat(v.get(1).address()).isEqualTo(v.get(0).address());
    assertThat(v.get(3).forceHttps()).isTrue();
    assertThat(v.get(3).address()).isEqualTo(v.get(2).address());
  }

  @Test
  void insigniaIsDrDicomWithFiveMinutesAndHl7WithItsStandby() throws Exception {
    List<VirtualService> v = load("insignia").virtualServices();
    assertThat(v)
        .extracting(ProfilesTest::row)
        .containsExactly(
            "DS_DICOM L4 dr [104] source-ip dicom-echo", "HL7 L7 tcp [2575] none ping");
    assertThat(v.get(0).persistence().timeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(v.get(1).fallback()).contains(new Fallback("172.26.11.103", 2575));
  }
}
