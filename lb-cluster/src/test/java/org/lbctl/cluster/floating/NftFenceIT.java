package org.lbctl.cluster.floating;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.testing.NamespaceLab;

/**
 * The kernel lease in a namespace lab: a node holding a VIP answers ARP, IPv6 neighbour
 * solicitations and traffic for it only while the lease is renewed, with no process of ours running
 * in between, as a frozen JVM would leave it.
 */
class NftFenceIT {
  private static final FloatingIp VIP = FloatingIp.parse("10.99.0.100").orElseThrow();
  private static final FloatingIp VIP6 = FloatingIp.parse("fd99::100").orElseThrow();

  private NamespaceLab lab;
  private FloatingIpOwner owner;
  private NftFence fence;

  @BeforeEach
  void lab() throws Exception {
    lab = NamespaceLab.create(Map.of("client", "10.99.0.10/24", "lb1", "10.99.0.11/24"));
    for (String[] h : new String[][] {{"client", "10"}, {"lb1", "11"}}) {
      lab.exec(h[0], "ip", "addr", "add", "fd99::" + h[1] + "/64", "dev", "eth0", "nodad");
    }
    owner = new FloatingIpOwner("eth0", lab.execPrefix("lb1"));
    fence = new NftFence("eth0", Duration.ofSeconds(1), lab.execPrefix("lb1"));
  }

  @AfterEach
  void close() {
    fence.close();
    owner.close();
    lab.close();
  }

  /** Whether lb1 answers an ARP request for the VIP now (a fresh request: no cached entry). */
  private boolean answersArp() throws IOException {
    return lab.exec("client", "arping", "-c", "1", "-w", "1", "-I", "eth0", VIP.address())
        .output()
        .contains("Received 1");
  }

  private boolean answersPing() throws IOException {
    return lab.exec("client", "ping", "-c", "1", "-W", "1", VIP.address()).ok();
  }

  private boolean answersPing6() throws IOException {
    lab.exec("client", "ip", "-6", "neigh", "flush", "dev", "eth0");
    return lab.exec("client", "ping", "-6", "-c", "1", "-W", "1", VIP6.address()).ok();
  }

  @Test
  void theAddressesAnswerOnlyWhileTheLeaseIsRenewed() throws Exception {
    fence.install();
    List<FloatingIp> ips = List.of(VIP, VIP6);
    fence.guard(ips);
    owner.claim(ips);
    // Fail-closed: loaded, the fence answers nothing until the first renewal.
    assertThat(answersArp()).as("ARP before any renewal").isFalse();
    assertThat(answersPing6()).as("IPv6 before any renewal").isFalse();

    fence.renew(ips);
    assertThat(answersArp()).as("ARP with a lease").isTrue();
    assertThat(answersPing()).as("traffic with a lease").isTrue();
    assertThat(answersPing6()).as("IPv6 with a lease").isTrue();

    // Nobody renews: within the lease (plus the probe's own second) the kernel goes silent.
    long lastRenewal = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !answersPing());
    long fencedAfter = (System.nanoTime() - lastRenewal) / 1_000_000;
    System.out.println("fence: silent " + fencedAfter + " ms after the last renewal (lease 1 s)");
    assertThat(fencedAfter).isGreaterThanOrEqualTo(900);
    assertThat(answersArp()).as("ARP after the lease lapsed").isFalse();
    assertThat(answersPing6()).as("IPv6 after the lease lapsed").isFalse();

    fence.renew(ips);
    assertThat(answersPing()).isTrue();
    fence.shut();
    assertThat(answersPing()).as("shut: silent at once").isFalse();

    // Removed (what a clean stop and ExecStopPost do): the kernel answers as it would anyway.
    fence.close();
    assertThat(answersPing()).as("no fence").isTrue();
  }

  @Test
  void renewalKeepsTheAddressesAnsweringWithoutAGap() throws Exception {
    fence.install();
    fence.guard(List.of(VIP));
    owner.claim(List.of(VIP));
    fence.renew(List.of(VIP));
    // 2.4 s of pings every 20 ms while a renewer runs every 200 ms: not one lost.
    var renewer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    renewer.scheduleAtFixedRate(
        () -> {
          try {
            fence.renew(List.of(VIP));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        },
        0,
        200,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      var pings =
          lab.exec(
              Duration.ofSeconds(10),
              "client",
              "bash",
              "-c",
              "ping -q -i 0.02 -c 120 -W 1 " + VIP.address() + " | grep -o '[0-9]* received'");
      assertThat(pings.output().strip()).isEqualTo("120 received");
    } finally {
      renewer.shutdownNow();
    }
  }

  @Test
  void anInterfaceGuardSetCanChangeWithoutDroppingTheLease() throws Exception {
    fence.install();
    fence.guard(List.of(VIP));
    owner.claim(List.of(VIP));
    fence.renew(List.of(VIP));
    FloatingIp other = FloatingIp.parse("10.99.0.101").orElseThrow();
    fence.guard(List.of(VIP, other));
    assertThat(answersPing()).as("the running lease survives a change of the guarded set").isTrue();
  }
}
