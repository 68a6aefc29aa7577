package org.lbctl.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.persistence.StickEntry;
import org.lbctl.core.testing.Ports;

/** Two real Infinispan nodes over the encrypted TCP stack on loopback. */
class ReplicatedStickTableIT {
  private static final Duration HOUR = Duration.ofHours(1);
  private final SecretKey key = new SecretKeySpec("0123456789abcdef".getBytes(), "AES");
  private final InetSocketAddress a =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
  private final InetSocketAddress b =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
  private final List<ReplicatedStickTable> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(ReplicatedStickTable::close);
  }

  private ReplicatedStickTable start(InetSocketAddress bind, InetSocketAddress peer, String name)
      throws Exception {
    return start(bind, peer, name, key);
  }

  private ReplicatedStickTable start(
      InetSocketAddress bind, InetSocketAddress peer, String name, SecretKey k) throws Exception {
    ReplicatedStickTable t = ReplicatedStickTable.start(bind, peer, k, name);
    open.add(t);
    return t;
  }

  private static String server(ReplicatedStickTable t, String vip, String client) {
    return t.lookup(vip, client, System.currentTimeMillis()).map(StickEntry::server).orElse("");
  }

  @Test
  void anEntryWrittenOnOneNodeIsReadOnTheOtherAndAClearClearsBoth() throws Exception {
    ReplicatedStickTable one = start(a, b, "lb1");
    ReplicatedStickTable two = start(b, a, "lb2");
    await().atMost(Duration.ofSeconds(20)).until(() -> one.members() == 2 && two.members() == 2);

    long now = System.currentTimeMillis();
    for (int i = 0; i < 1000; i++) {
      one.record("pacs", "10.2.0." + i, i % 2 == 0 ? "pacs1" : "pacs2", HOUR, now);
    }
    two.record("hl7", "*", "hl7b", HOUR, now);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> two.list("pacs", System.currentTimeMillis()).size() == 1000);
    assertThat(server(two, "pacs", "10.2.0.7")).isEqualTo("pacs2");
    await().atMost(Duration.ofSeconds(10)).until(() -> server(one, "hl7", "*").equals("hl7b"));

    assertThat(two.clear("pacs")).isEqualTo(1000);
    assertThat(one.list("pacs", System.currentTimeMillis())).isEmpty();
    assertThat(server(one, "hl7", "*")).isEqualTo("hl7b");
  }

  @Test
  void theStatusShowsWritesLagTrafficAndWhetherTheRealServerListsMatch() throws Exception {
    ReplicatedStickTable one = start(a, b, "lb1");
    ReplicatedStickTable two = start(b, a, "lb2");
    await().atMost(Duration.ofSeconds(20)).until(() -> one.members() == 2 && two.members() == 2);
    long bytesBefore = one.replication().bytesSent();
    long now = System.currentTimeMillis();
    for (int i = 0; i < 200; i++) {
      one.record("pacs", "10.4.0." + i, "pacs1", HOUR, now);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> one.replication().lagSamples() == 200);
    var r = one.replication();
    assertThat(r.members()).isEqualTo(2);
    assertThat(r.writesSent()).isEqualTo(200);
    assertThat(r.writesInFlight()).isZero();
    assertThat(r.writesFailed()).isZero();
    assertThat(r.lagP50Ms()).isPositive().isLessThanOrEqualTo(r.lagP99Ms());
    assertThat(r.lagP99Ms()).isLessThanOrEqualTo(r.lagMaxMs());
    assertThat(r.bytesSent() - bytesBefore).isGreaterThan(200L * 20);
    assertThat(two.replication().bytesReceived()).isPositive();
    assertThat(r.serversMatch()).isNull();

    one.announceServers("digest-a");
    two.announceServers("digest-b");
    awaitServersMatch(false, one, two);
    // The second node takes the first's configuration: both now agree.
    two.announceServers("digest-a");
    awaitServersMatch(true, one, two);
    assertThat(one.replication().serversMatch()).isTrue();
  }

  private static void awaitServersMatch(boolean match, ReplicatedStickTable... tables) {
    for (ReplicatedStickTable t : tables) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> t.serversMatch().equals(java.util.Optional.of(match)));
    }
  }

  @Test
  void anEntryExpiresOnBothNodesAtTheEndOfItsTimeout() throws Exception {
    ReplicatedStickTable one = start(a, b, "lb1");
    ReplicatedStickTable two = start(b, a, "lb2");
    await().atMost(Duration.ofSeconds(20)).until(() -> one.members() == 2 && two.members() == 2);
    long now = System.currentTimeMillis();
    one.record("insignia", "10.5.0.1", "ins1", Duration.ofSeconds(2), now);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> server(two, "insignia", "10.5.0.1").equals("ins1"));
    long expires = two.lookup("insignia", "10.5.0.1", now).orElseThrow().expiresAtMillis();
    assertThat(expires).isBetween(now + 1_500, now + 2_500);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                server(one, "insignia", "10.5.0.1").isEmpty()
                    && server(two, "insignia", "10.5.0.1").isEmpty());
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(now + 2_000);
  }

  @Test
  void refreshesThatHardlyMoveAnExpiryAreNotSent() throws Exception {
    ReplicatedStickTable one = start(a, b, "lb1");
    long now = System.currentTimeMillis();
    one.record("pacs", "10.2.0.1", "pacs1", HOUR, now);
    // A client that reconnects every second for a minute: its entry moves by less than 6 min.
    for (int s = 1; s <= 60; s++) {
      one.record("pacs", "10.2.0.1", "pacs1", HOUR, now + s * 1000L);
    }
    assertThat(one.sent()).isEqualTo(1);
    assertThat(one.coalesced()).isEqualTo(60);
    // Another server, or a refresh by more than a tenth of the timeout, is sent.
    one.record("pacs", "10.2.0.1", "pacs2", HOUR, now + 61_000);
    one.record("pacs", "10.2.0.1", "pacs2", HOUR, now + 61_000 + 360_001);
    assertThat(one.sent()).isEqualTo(3);
    // An expiry brought forward (a flow that closed) is sent however little it moves.
    one.record(
        "pacs", "10.2.0.1", "pacs2", java.time.Duration.ofMinutes(59), now + 61_000 + 360_001);
    assertThat(one.sent()).isEqualTo(4);
  }

  @Test
  void aJoiningNodeHoldsTheWholeTableWhenItStartsAndTheSurvivorOfAStopStaysWritable()
      throws Exception {
    ReplicatedStickTable one = start(a, b, "lb1");
    long now = System.currentTimeMillis();
    for (int i = 0; i < 5000; i++) {
      one.record("pacs", "10.3." + (i / 250) + "." + (i % 250), "pacs" + (i % 3), HOUR, now);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> one.size() == 5000);

    ReplicatedStickTable two = start(b, a, "lb2");
    // No waiting: start returned after the initial state transfer.
    assertThat(two.size()).isEqualTo(5000);
    assertThat(server(two, "pacs", "10.3.0.4")).isEqualTo("pacs1");

    one.close();
    open.remove(one);
    two.record("pacs", "10.9.9.9", "pacs2", HOUR, System.currentTimeMillis());
    assertThat(server(two, "pacs", "10.9.9.9")).isEqualTo("pacs2");
  }

  @Test
  void aNodeWithAnotherSecretSeesNothing() throws Exception {
    ReplicatedStickTable one = start(a, b, "lb1");
    one.record("pacs", "10.2.0.1", "pacs1", HOUR, System.currentTimeMillis());
    ReplicatedStickTable stranger =
        start(b, a, "lb2", new SecretKeySpec("fedcba9876543210".getBytes(), "AES"));
    assertThat(stranger.members()).isEqualTo(1);
    assertThat(stranger.size()).isZero();
    assertThat(one.members()).isEqualTo(1);
  }
}
