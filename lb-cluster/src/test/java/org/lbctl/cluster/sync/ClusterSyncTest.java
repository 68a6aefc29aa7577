package org.lbctl.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.ConfigVersion;

/** Three members' syncs wired to each other by the test, each on a replica in memory. */
class ClusterSyncTest {
  private final AtomicLong clock = new AtomicLong();
  private final MemoryReplica a = new MemoryReplica(3, MemoryReplica.config("portal"));
  private final MemoryReplica b = new MemoryReplica(3, MemoryReplica.config("portal"));
  private final MemoryReplica c = new MemoryReplica(2, MemoryReplica.config("old"));
  private final List<byte[]> sentByA = new CopyOnWriteArrayList<>();
  private final List<byte[]> sentByB = new CopyOnWriteArrayList<>();
  private final ClusterSync syncA = new ClusterSync("lb1", a, sentByA::add, clock::get);
  private final ClusterSync syncB = new ClusterSync("lb2", b, sentByB::add, clock::get);
  private final ClusterSync syncC = new ClusterSync("lb3", c, bytes -> {}, clock::get);

  @AfterEach
  void stop() {
    syncA.close();
    syncB.close();
    syncC.close();
  }

  @Test
  void theFirstMemberRunningTheNewestVersionSendsItAndAnOlderMemberRunsIt() {
    syncA.members(Map.of("lb2", b.version(), "lb3", c.version()));
    syncB.members(Map.of("lb1", a.version(), "lb3", c.version()));
    await().atMost(Duration.ofSeconds(2)).until(() -> sentByA.size() == 1);
    assertThat(sentByB).as("lb1 comes first by name").isEmpty();
    syncC.onMessage("lb1", sentByA.get(0));
    await().atMost(Duration.ofSeconds(2)).until(() -> c.version().equals(a.version()));
    assertThat(new String(c.document(), StandardCharsets.UTF_8)).contains("label: portal");
    // Not sent again before 3 s, even if lb3's word still says the old version.
    syncA.members(Map.of("lb2", b.version(), "lb3", new ConfigVersion(2, c.version().hash())));
    await().during(Duration.ofMillis(300)).until(() -> sentByA.size() == 1);
    clock.addAndGet(3_000_000_000L);
    syncA.members(Map.of("lb2", b.version(), "lb3", new ConfigVersion(2, "0".repeat(64))));
    await().atMost(Duration.ofSeconds(2)).until(() -> sentByA.size() == 2);
  }

  @Test
  void aMemberBehindSomeoneElseSendsNothing() {
    syncC.members(Map.of("lb1", a.version()));
    syncA.members(Map.of("lb2", b.version()));
    await().during(Duration.ofMillis(300)).until(() -> sentByA.isEmpty());
  }

  @Test
  void twoEditsNumberedAlikeEndOnTheOneWithTheHigherHashEverywhere() {
    b.set(3, MemoryReplica.config("imaging"));
    MemoryReplica high = newer(a.version(), b.version()) ? a : b;
    MemoryReplica low = high == a ? b : a;
    ClusterSync lowSync = low == a ? syncA : syncB;
    lowSync.onMessage("peer", ClusterSync.encode(high.version(), high.document()));
    await().atMost(Duration.ofSeconds(2)).until(() -> low.version().equals(high.version()));
    // The other way round nothing changes.
    ClusterSync highSync = high == a ? syncA : syncB;
    ConfigVersion before = high.version();
    highSync.onMessage(
        "peer", ClusterSync.encode(new ConfigVersion(3, "0".repeat(64)), a.document()));
    await().during(Duration.ofMillis(300)).until(() -> high.version().equals(before));
  }

  private static boolean newer(ConfigVersion x, ConfigVersion y) {
    return ClusterSync.newer(x, y);
  }

  @Test
  void aVersionThatCannotRunHereIsRefusedOnceAndTheNodeStaysOnItsOwn() {
    c.refuseInstalls(true);
    byte[] offer = ClusterSync.encode(a.version(), a.document());
    syncC.onMessage("lb1", offer);
    syncC.onMessage("lb1", offer);
    await().during(Duration.ofMillis(300)).until(() -> c.version().number() == 2);
    assertThat(c.installs()).isZero();
  }

  @Test
  void anInstallThatFailsUnexpectedlyIsRefusedOnceLikeAnInvalidOne() {
    ConfigReplica failing =
        new ConfigReplica() {
          @Override
          public ConfigVersion version() {
            return c.version();
          }

          @Override
          public byte[] document() {
            return c.document();
          }

          @Override
          public org.lbctl.core.proxy.ListenerChanges install(ConfigVersion v, byte[] d) {
            failures.incrementAndGet();
            throw new IllegalStateException("listener failed");
          }
        };
    try (ClusterSync sync = new ClusterSync("lb3", failing, bytes -> {}, clock::get)) {
      byte[] offer = ClusterSync.encode(a.version(), a.document());
      sync.onMessage("lb1", offer);
      sync.onMessage("lb1", offer);
      await().atMost(Duration.ofSeconds(2)).until(() -> failures.get() == 1);
      await().during(Duration.ofMillis(300)).until(() -> failures.get() == 1);
    }
  }

  private final java.util.concurrent.atomic.AtomicInteger failures =
      new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void malformedMessagesAreIgnored() {
    for (String bad :
        List.of(
            "{\"type\":\"config\"}",
            "{\"type\":\"config\",\"version\":0,\"hash\":\""
                + "a".repeat(64)
                + "\",\"document\":\"\"}",
            "{\"type\":\"config\",\"version\":9,\"hash\":\"xyz\",\"document\":\"\"}",
            "{\"type\":\"config\",\"version\":9,\"hash\":\""
                + "a".repeat(64)
                + "\",\"document\":\"%%\"}",
            "not json")) {
      syncC.onMessage("lb1", bad.getBytes(StandardCharsets.UTF_8));
    }
    // A version whose document does not hash to it: refused by the replica's read.
    syncC.onMessage("lb1", ClusterSync.encode(new ConfigVersion(9, "a".repeat(64)), a.document()));
    await().during(Duration.ofMillis(300)).until(() -> c.version().number() == 2);
    assertThat(
            ClusterSync.isMine(
                "{\"type\":\"config\",\"version\":1}".getBytes(StandardCharsets.UTF_8)))
        .isTrue();
    assertThat(ClusterSync.isMine("{\"type\":\"held\"}".getBytes(StandardCharsets.UTF_8)))
        .isFalse();
  }
}
