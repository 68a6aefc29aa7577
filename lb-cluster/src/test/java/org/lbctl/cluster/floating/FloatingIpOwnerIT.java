package org.lbctl.cluster.floating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.testing.NamespaceLab;

/** Floating IPs moving between two nodes in a namespace lab, watched from a client. */
class FloatingIpOwnerIT {
  private static final FloatingIp VIP = FloatingIp.parse("10.99.0.100").orElseThrow();
  private static final FloatingIp GATEWAY = FloatingIp.parse("10.99.1.1/24").orElseThrow();

  private NamespaceLab lab;
  private FloatingIpOwner lb1;
  private FloatingIpOwner lb2;

  @BeforeEach
  void lab() throws Exception {
    lab =
        NamespaceLab.create(
            Map.of("client", "10.99.0.10/24", "lb1", "10.99.0.11/24", "lb2", "10.99.0.12/24"));
    lb1 = new FloatingIpOwner("eth0", lab.execPrefix("lb1"));
    lb2 = new FloatingIpOwner("eth0", lab.execPrefix("lb2"));
  }

  @AfterEach
  void close() {
    lb1.close();
    lb2.close();
    lab.close();
  }

  @Test
  void aMovedAddressIsAnnouncedSoClientsFollowIt() throws Exception {
    lb1.claim(List.of(VIP, GATEWAY));
    assertThat(lb1.held()).contains("10.99.0.100/32", "10.99.1.1/24");
    assertThat(lab.exec("client", "ping", "-c", "1", "-W", "1", VIP.address()).ok()).isTrue();
    assertThat(lab.neighbourMac("client", VIP.address())).isEqualTo(lab.mac("lb1"));
    // As on a real network, the client learnt the address a while before the failover.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lab.neighbourAgeSeconds("client", VIP.address()) >= 2);

    long moved = System.nanoTime();
    lb1.release(List.of(VIP, GATEWAY));
    lb2.claim(List.of(VIP, GATEWAY));

    // The client has not sent anything: only the gratuitous ARP can have moved its entry.
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> assertThat(lab.neighbourMac("client", VIP.address())).isEqualTo(lab.mac("lb2")));
    System.out.println(
        "floating IP: client follows the move after "
            + (System.nanoTime() - moved) / 1_000_000
            + " ms");
    assertThat(lb1.held()).doesNotContain("10.99.0.100/32", "10.99.1.1/24");
    assertThat(lab.exec("client", "ping", "-c", "1", "-W", "1", VIP.address()).ok()).isTrue();
  }

  @Test
  void aMovedIpv6AddressIsAnnouncedWithAnUnsolicitedNeighbourAdvertisement() throws Exception {
    FloatingIp vip6 = FloatingIp.parse("fd99::100/128").orElseThrow();
    // Each host's own address on the subnet, as the IPv4 ones above.
    for (String[] h : new String[][] {{"client", "10"}, {"lb1", "11"}, {"lb2", "12"}}) {
      lab.exec(h[0], "ip", "addr", "add", "fd99::" + h[1] + "/64", "dev", "eth0", "nodad");
    }
    lb1.claim(List.of(vip6));
    assertThat(lb1.held()).contains("fd99::100/128");
    assertThat(lab.exec("client", "ping", "-6", "-c", "1", "-W", "1", "fd99::100").ok()).isTrue();
    assertThat(lab.neighbourMac("client", "fd99::100")).isEqualTo(lab.mac("lb1"));

    long moved = System.nanoTime();
    lb1.release(List.of(vip6));
    lb2.claim(List.of(vip6));

    // Usable at once (no tentative phase), and the client, silent meanwhile, follows the
    // advertisement rather than its entry's expiry.
    await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () -> assertThat(lab.neighbourMac("client", "fd99::100")).isEqualTo(lab.mac("lb2")));
    System.out.println(
        "floating IPv6: client follows the move after "
            + (System.nanoTime() - moved) / 1_000_000
            + " ms");
    assertThat(lab.exec("lb2", "ip", "-6", "addr", "show", "dev", "eth0").output().lines())
        .filteredOn(l -> l.contains("fd99::100"))
        .singleElement()
        .asString()
        .doesNotContain("tentative");
    assertThat(lab.exec("client", "ping", "-6", "-c", "1", "-W", "1", "fd99::100").ok()).isTrue();
  }

  @Test
  void aClientThatJustResolvedTheAddressFollowsOnceItsLocktimeHasPassed() throws Exception {
    lb1.claim(List.of(VIP));
    assertThat(lab.exec("client", "ping", "-c", "1", "-W", "1", VIP.address()).ok()).isTrue();

    lb1.release(List.of(VIP));
    lb2.claim(List.of(VIP));

    // The first announcement falls inside the client's 1 s locktime; a repeat does not.
    await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () -> assertThat(lab.neighbourMac("client", VIP.address())).isEqualTo(lab.mac("lb2")));
  }

  @Test
  void oneCommandWithoutTheNodeRemovesEveryFloatingIpv4Address() throws Exception {
    lb1.claim(List.of(VIP, GATEWAY));
    assertThat(lab.exec("lb1", "ip", "-o", "-4", "addr", "show", "dev", "eth0").output())
        .contains("10.99.0.100/32 scope global eth0:lb");

    // What the unit's ExecStopPost runs after a crash.
    assertThat(lab.exec("lb1", "ip", "-4", "addr", "flush", "label", "*:lb").ok()).isTrue();

    assertThat(lb1.held())
        .contains("10.99.0.11/24")
        .doesNotContain("10.99.0.100/32", "10.99.1.1/24");
  }

  @Test
  void claimingTwiceAndReleasingWhatIsNotHeldAreNoErrors() throws Exception {
    lb1.claim(List.of(VIP));
    lb1.claim(List.of(VIP));
    // One of the two is there already: the other is added all the same.
    lb1.claim(List.of(VIP, GATEWAY));
    assertThat(lb1.held()).contains("10.99.0.100/32", GATEWAY.cidr());
    lb1.release(List.of(VIP));
    // One of the two is gone already: the other is removed all the same.
    lb1.release(List.of(VIP, GATEWAY));
    lb1.release(List.of(VIP));
    assertThat(lb1.held()).doesNotContain("10.99.0.100/32", GATEWAY.cidr());
  }

  @Test
  void aMissingDeviceIsReportedWithTheCommandsReason() throws Exception {
    FloatingIpOwner wrong = new FloatingIpOwner("eth9", lab.execPrefix("lb1"));
    assertThatThrownBy(() -> wrong.claim(List.of(VIP)))
        .hasMessageContaining("cannot add floating IP 10.99.0.100/32")
        .hasMessageContaining("eth9");
    wrong.close();
  }
}
