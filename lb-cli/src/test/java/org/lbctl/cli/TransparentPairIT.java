package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transparent VIP on a pair: rs1 lives on its own subnet behind the pair, its default gateway the
 * pair's floating IP 10.99.1.1. It sees the client's address through whichever node is active;
 * after a kill -9 of the active node its replies can only reach the client if the gateway moved
 * with the VIP (the killed node's namespace still holds its old addresses and answers nothing).
 */
class TransparentPairIT {
  @TempDir Path dir;
  private PairLab lab;

  @BeforeEach
  void lab() throws Exception {
    lab = PairLab.create(dir);
    var ns = lab.lab();
    // rs1 leaves the client's subnet: its only way back is the floating gateway.
    assertThat(ns.exec("rs1", "ip", "addr", "del", "10.99.0.21/24", "dev", "eth0").ok()).isTrue();
    assertThat(ns.exec("rs1", "ip", "addr", "add", "10.99.1.21/24", "dev", "eth0").ok()).isTrue();
    assertThat(ns.exec("rs1", "ip", "route", "add", "default", "via", "10.99.1.1").ok()).isTrue();
    lab.configurePair(
        """
        floatingIps: [10.99.1.1/24]
        virtualServices:
          - label: portal
            address: %s
            ports: [80]
            transparent: true
            timeouts: {connect: 1s}
            realServers:
              - {label: rs1, address: 10.99.1.21, port: 8080}
        """
            .formatted(PairLab.VIP));
  }

  @AfterEach
  void stop(org.junit.jupiter.api.TestInfo test) throws Exception {
    lab.close("pair-logs/" + test.getTestMethod().orElseThrow().getName());
  }

  @Test
  void theRealServerSeesTheClientThroughEitherNodeAndTheGatewayFollowsTheVip() throws Exception {
    lab.startPair();
    assertThat(lab.curl()).isEqualTo("rs1");
    assertThat(lab.server("rs1").lastClient()).isEqualTo("10.99.0.10");

    long takeoverMs = lab.killAndAwaitTakeover("lb1");
    System.out.println("transparent pair: served through lb2 " + takeoverMs + " ms after the kill");
    assertThat(lab.pairState("lb2")).isEqualTo("active");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(lab.curl()).isEqualTo("rs1"));
    assertThat(lab.server("rs1").lastClient()).isEqualTo("10.99.0.10");
    // rs1's replies went to lb2: its gateway's neighbour entry names lb2's interface.
    String lb2Mac = lab.lab().exec("lb2", "cat", "/sys/class/net/eth0/address").output().strip();
    assertThat(lab.lab().exec("rs1", "ip", "neigh", "show", "10.99.1.1").output()).contains(lb2Mac);
  }
}
