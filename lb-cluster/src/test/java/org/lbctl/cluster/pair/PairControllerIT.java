package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import org.lbctl.cluster.sync.MemoryReplica;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.status.PairStatus;
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

  /** A node under test: its controller, its serving gate and its replicated configuration. */
  private record Node(
      PairController controller,
      AtomicBoolean serving,
      MemoryReplica replica,
      AtomicReference<ConfigVersion> versionWhenServing,
      List<String> roleChanges) {
    String state() {
      return controller.status().state();
    }

    PairStatus.PeerStatus peer() {
      return controller.status().peer();
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

  private Node start(PairRole role, MemoryReplica replica) throws Exception {
    return start(role, replica, false);
  }

  private Node start(PairRole role, MemoryReplica replica, boolean failback) throws Exception {
    boolean primary = role == PairRole.PRIMARY;
    PairSettings s =
        new PairSettings(
            role,
            new InetSocketAddress("127.0.0.1", primary ? primaryPort : secondaryPort),
            new InetSocketAddress("127.0.0.1", primary ? secondaryPort : primaryPort),
            secret,
            List.of(),
            failback,
            "lo");
    AtomicBoolean serving = new AtomicBoolean();
    AtomicReference<ConfigVersion> versionWhenServing = new AtomicReference<>();
    PairController c =
        new PairController(
            s,
            on -> {
              serving.set(on);
              if (on) {
                versionWhenServing.set(replica.version());
              }
            },
            new FloatingIpOwner("lo", List.of()),
            List::of,
            new PingTargets(List.of(), List.of()),
            replica);
    started.add(c);
    List<String> roleChanges = new java.util.concurrent.CopyOnWriteArrayList<>();
    c.onRoleChange((what, why) -> roleChanges.add(what + ": " + why));
    c.start(PairSecret.load(secret));
    return new Node(c, serving, replica, versionWhenServing, roleChanges);
  }

  private static MemoryReplica replica(long version, String label) {
    return new MemoryReplica(version, MemoryReplica.config(label));
  }

  private static void awaitPair(Node primary, Node secondary) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(primary.state()).isEqualTo("active");
              assertThat(secondary.state()).isEqualTo("passive");
              assertThat(primary.peer().state()).isEqualTo("passive");
              assertThat(secondary.peer().state()).isEqualTo("active");
            });
  }

  private static void awaitInSync(Node a, Node b, ConfigVersion version) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(a.replica().version()).isEqualTo(version);
              assertThat(b.replica().version()).isEqualTo(version);
              assertThat(a.controller().status().configSync()).isEqualTo("in sync");
              assertThat(b.controller().status().configSync()).isEqualTo("in sync");
              assertThat(a.controller().status().configDrift()).isFalse();
              assertThat(b.controller().status().configDrift()).isFalse();
            });
  }

  @Test
  void thePrimaryServesAndTheSecondaryWaits() throws Exception {
    Node primary = start(PairRole.PRIMARY, replica(1, "a"));
    await().atMost(Duration.ofSeconds(10)).until(() -> primary.state().equals("active"));
    Node secondary = start(PairRole.SECONDARY, replica(1, "a"));

    awaitPair(primary, secondary);
    assertThat(primary.serving()).isTrue();
    assertThat(secondary.serving()).isFalse();
    PairStatus s = secondary.controller().status();
    assertThat(s.configDrift()).isFalse();
    assertThat(s.peer().role()).isEqualTo("primary");
    assertThat(s.peer().configVersion()).isEqualTo(1);
    assertThat(s.peer().heartbeatAgeMillis()).isBetween(0L, 1500L);
    assertThat(primary.replica().installs()).isZero();
    assertThat(secondary.replica().installs()).isZero();
  }

  @Test
  void thePrimarysVersionReachesTheSecondaryWhichRefusesEdits() throws Exception {
    Node primary = start(PairRole.PRIMARY, replica(3, "a"));
    Node secondary = start(PairRole.SECONDARY, replica(1, "stale"));
    awaitPair(primary, secondary);
    awaitInSync(primary, secondary, primary.replica().version());
    assertThat(new String(secondary.replica().document(), StandardCharsets.UTF_8))
        .contains("label: a");

    assertThat(primary.controller().editRefusal()).isEmpty();
    assertThat(primary.controller().status().edits()).isEqualTo("accepted");
    assertThat(secondary.controller().editRefusal().orElseThrow())
        .startsWith(
            "this node is the secondary: edit the configuration on the primary (127.0.0.1)");
    assertThatThrownBy(() -> secondary.controller().promote(false))
        .hasMessageContaining("the primary (127.0.0.1) is in the pair");

    // An edit on the primary reaches the secondary at once.
    primary.replica().set(4, MemoryReplica.config("b"));
    primary.controller().configChanged();
    awaitInSync(primary, secondary, new ConfigVersion(4, primary.replica().version().hash()));
  }

  @Test
  void aReturningPrimaryTakesThePromotedSecondarysVersionBeforeItServes() throws Exception {
    Node secondary = start(PairRole.SECONDARY, replica(4, "a"), true);
    await().atMost(Duration.ofSeconds(10)).until(() -> secondary.state().equals("active"));
    assertThat(secondary.controller().editRefusal()).isPresent();
    secondary.controller().promote(false);
    assertThat(secondary.controller().editRefusal()).isEmpty();
    assertThat(secondary.controller().status().promoted()).isTrue();
    // The promoted secondary takes an edit while the primary is down.
    secondary.replica().set(5, MemoryReplica.config("edited-while-primary-down"));
    secondary.controller().configChanged();

    // The primary comes back on its old version; with failback it takes the role back, but only
    // once it runs the pair's current version. While it cannot take that version, the secondary
    // keeps serving.
    MemoryReplica old = replica(4, "a");
    old.refuseInstalls(true);
    Node primary = start(PairRole.PRIMARY, old, true);
    await().atMost(Duration.ofSeconds(10)).until(() -> secondary.peer().configVersion() == 4);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !primary.serving().get() && secondary.serving().get());
    assertThat(secondary.state()).isEqualTo("active");

    old.refuseInstalls(false);
    awaitPair(primary, secondary);
    assertThat(primary.versionWhenServing().get().number()).isEqualTo(5);
    awaitInSync(primary, secondary, secondary.replica().version());
    // Back in sync: the promotion ends and edits go to the primary again.
    assertThat(secondary.controller().status().promoted()).isFalse();
    assertThat(secondary.controller().editRefusal()).isPresent();
    assertThat(primary.controller().editRefusal()).isEmpty();
  }

  @Test
  void aVersionTheSecondaryCannotRunIsReportedAndKeepsItPassive() throws Exception {
    MemoryReplica refusing = replica(1, "old");
    refusing.refuseInstalls(true);
    Node primary = start(PairRole.PRIMARY, replica(2, "new"));
    Node secondary = start(PairRole.SECONDARY, refusing);
    awaitPair(primary, secondary);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(secondary.controller().status().configSync())
                  .startsWith("REFUSED the peer's v2");
              assertThat(secondary.controller().status().configDrift()).isTrue();
              assertThat(primary.controller().status().configSync())
                  .isEqualTo("sending " + primary.replica().version() + " to the peer");
            });
    assertThat(secondary.serving()).isFalse();
  }

  @Test
  void aHandoverMovesServingAndIsRefusedOnThePassiveNode() throws Exception {
    Node primary = start(PairRole.PRIMARY, replica(1, "h"));
    Node secondary = start(PairRole.SECONDARY, replica(1, "h"));
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
    Node primary = start(PairRole.PRIMARY, replica(1, "h"));
    Node secondary = start(PairRole.SECONDARY, replica(1, "h"));
    awaitPair(primary, secondary);

    primary.controller().close();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(secondary.state()).isEqualTo("active");
              assertThat(secondary.serving()).isTrue();
              assertThat(secondary.peer().state()).isEqualTo("absent");
            });
    assertThat(primary.serving()).isFalse();
    // What alerts are told: the new state and why.
    assertThat(secondary.roleChanges()).last().asString().startsWith("secondary is now ACTIVE: ");
    assertThat(primary.roleChanges()).first().asString().startsWith("primary is now ACTIVE: ");
  }
}
