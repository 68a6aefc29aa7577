package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.testing.Ports;

/**
 * Two pair controllers on a real JGroups channel over loopback. They hold no floating IPs here (the
 * namespace tests cover those), so what is checked is the role, the serving gate and what the nodes
 * tell each other.
 */
class PairControllerIT {
  @TempDir Path dir;
  private Path secret;
  private int primaryPort;
  private int secondaryPort;
  private final List<PairController> started = new ArrayList<>();

  /** A node under test: its controller, its serving gate and its configuration hash. */
  private record Node(
      PairController controller, AtomicBoolean serving, AtomicReference<String> hash) {
    String state() {
      return controller.status().state();
    }
  }

  @BeforeEach
  void secret() throws Exception {
    secret = dir.resolve("pair.secret");
    Files.writeString(secret, "c0ffee00c0ffee00c0ffee00c0ffee00");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    primaryPort = Ports.free();
    secondaryPort = Ports.free();
  }

  @AfterEach
  void stop() {
    started.forEach(PairController::close);
  }

  private Node start(PairRole role, String configHash) throws Exception {
    boolean primary = role == PairRole.PRIMARY;
    PairSettings s =
        new PairSettings(
            role,
            new InetSocketAddress("127.0.0.1", primary ? primaryPort : secondaryPort),
            new InetSocketAddress("127.0.0.1", primary ? secondaryPort : primaryPort),
            secret,
            List.of(),
            false,
            "lo");
    AtomicBoolean serving = new AtomicBoolean();
    AtomicReference<String> hash = new AtomicReference<>(configHash);
    PairController c =
        new PairController(
            s,
            serving::set,
            new FloatingIpOwner("lo", List.of()),
            List::of,
            new PingTargets(List.of(), List.of()),
            hash::get);
    started.add(c);
    c.start(PairSecret.load(secret));
    return new Node(c, serving, hash);
  }

  private static void awaitPair(Node primary, Node secondary) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(primary.state()).isEqualTo("active");
              assertThat(secondary.state()).isEqualTo("passive");
              assertThat(primary.controller().status().peerState()).isEqualTo("passive");
              assertThat(secondary.controller().status().peerState()).isEqualTo("active");
            });
  }

  @Test
  void thePrimaryServesAndTheSecondaryWaits() throws Exception {
    Node primary = start(PairRole.PRIMARY, "h1");
    await().atMost(Duration.ofSeconds(10)).until(() -> primary.state().equals("active"));
    Node secondary = start(PairRole.SECONDARY, "h1");

    awaitPair(primary, secondary);
    assertThat(primary.serving()).isTrue();
    assertThat(secondary.serving()).isFalse();
    assertThat(primary.controller().status().configDrift()).isFalse();
  }

  @Test
  void differentConfigurationsAreReportedAsDriftUntilTheyMatch() throws Exception {
    Node primary = start(PairRole.PRIMARY, "aaaa");
    Node secondary = start(PairRole.SECONDARY, "bbbb");
    awaitPair(primary, secondary);

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(primary.controller().status().configDrift()).isTrue();
              assertThat(primary.controller().status().peerConfigHash()).isEqualTo("bbbb");
              assertThat(secondary.controller().status().configDrift()).isTrue();
            });

    secondary.hash().set("aaaa");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(primary.controller().status().configDrift()).isFalse();
              assertThat(secondary.controller().status().configDrift()).isFalse();
            });
  }

  @Test
  void aHandoverMovesServingAndIsRefusedOnThePassiveNode() throws Exception {
    Node primary = start(PairRole.PRIMARY, "h");
    Node secondary = start(PairRole.SECONDARY, "h");
    awaitPair(primary, secondary);

    primary.controller().failover();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(secondary.state()).isEqualTo("active");
              assertThat(secondary.serving()).isTrue();
              assertThat(primary.serving()).isFalse();
            });
    // The primary does not take the role back while the secondary serves.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> primary.state().equals("passive"));
    assertThatThrownBy(() -> primary.controller().failover())
        .hasMessage("this node is passive; run failover on the active node");
  }

  @Test
  void whenTheActiveNodeLeavesThePassiveOneServes() throws Exception {
    Node primary = start(PairRole.PRIMARY, "h");
    Node secondary = start(PairRole.SECONDARY, "h");
    awaitPair(primary, secondary);

    primary.controller().close();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(secondary.state()).isEqualTo("active");
              assertThat(secondary.serving()).isTrue();
              assertThat(secondary.controller().status().peerState()).isEqualTo("absent");
            });
    assertThat(primary.serving()).isFalse();
  }
}
