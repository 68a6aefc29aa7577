package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.sync.MemoryReplica;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;

/**
 * The pair's decisions under a simulated clock, with the orders of events the drills met: link
 * blips around the detection time, a frozen node resuming onto buffered news, a view that drops a
 * peer still talking, a crash. The peer is played by the script: its heartbeats are written here,
 * with the echo of what it heard from the node under test.
 */
class PairControllerScriptTest {
  private static final long MS = 1_000_000L;
  private static final long PEER = 42;

  private final AtomicLong now = new AtomicLong(1_000_000 * MS);
  private final AtomicBoolean serving = new AtomicBoolean();
  private final List<String> roleChanges = new CopyOnWriteArrayList<>();
  private final List<StateAnnouncement> sent = new ArrayList<>();
  private final MemoryReplica replica = new MemoryReplica(1, MemoryReplica.config("a"));
  private PairController node;
  private long peerSeq;

  @AfterEach
  void close() {
    if (node != null) {
      node.close();
    }
  }

  private PairController start(PairRole role, List<String> pingTargets) throws Exception {
    PairSettings s =
        new PairSettings(
            role,
            new InetSocketAddress("127.0.0.1", 1),
            new InetSocketAddress("127.0.0.1", 2),
            Path.of("unused"),
            pingTargets,
            false,
            "lo");
    node =
        new PairController(
            s,
            serving::set,
            new FloatingIpOwner("lo", List.of()),
            Fence.NONE,
            new TermStore(Optional.empty()),
            List::of,
            new PingTargets(pingTargets, List.of()),
            replica,
            now::get);
    node.onRoleChange((what, why) -> roleChanges.add(what + ": " + why));
    node.startScripted(
        bytes -> {
          try {
            sent.add(StateAnnouncement.parse(bytes));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
    return node;
  }

  /** Advances the clock by {@code ms}, ticking every 100 ms as the controller does. */
  private void run(long ms) {
    for (long t = 0; t < ms; t += 100) {
      now.addAndGet(100 * MS);
      node.tick();
    }
  }

  /** The clock jumps with no tick at all: this node was frozen. */
  private void freeze(long ms) {
    now.addAndGet(ms * MS);
  }

  private long lastSentSeq() {
    return sent.get(sent.size() - 1).seq();
  }

  private long incarnation() {
    return sent.get(sent.size() - 1).incarnation();
  }

  /** The peer's heartbeat, echoing the last heartbeat it heard from the node ({@code echo}). */
  private void peerSays(PairState state, long term, long echo) {
    node.onMessage(
        new StateAnnouncement(
                PairRole.SECONDARY,
                state,
                false,
                replica.version(),
                List.of(),
                term,
                PEER,
                ++peerSeq,
                echo,
                incarnation(),
                1000,
                state == PairState.ACTIVE,
                false)
            .toBytes());
  }

  /** The peer hears the node's latest heartbeat and answers at once. */
  private void peerAnswers(PairState state, long term) {
    peerSays(state, term, lastSentSeq());
  }

  private void view(boolean peerPresent) {
    node.onView(
        new PairView(
            peerPresent ? List.of("primary", "secondary") : List.of("primary"),
            peerPresent,
            false,
            java.time.Instant.now()));
  }

  /** The primary, active with a passive peer that talks every 100 ms. */
  private void activePrimaryWithPassivePeer(List<String> pingTargets) throws Exception {
    start(PairRole.PRIMARY, pingTargets);
    view(true);
    for (int i = 0; i < 10; i++) {
      run(100);
      peerAnswers(PairState.PASSIVE, 0);
    }
    assertThat(node.state()).isEqualTo(PairState.ACTIVE);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).isTrue();
    roleChanges.clear();
  }

  /** The node's silence from the peer, answering its ping checks with {@code reachable}. */
  private void silent(long ms, boolean reachable) {
    for (long t = 0; t < ms; t += 100) {
      run(100);
      if (node.pinging()) {
        node.pingAnswered(reachable);
      }
    }
  }

  @Test
  void aBlipShorterThanTheDetectionTimeCausesNoFailover() throws Exception {
    activePrimaryWithPassivePeer(List.of("10.99.0.1"));
    long heardBeforeTheCut = lastSentSeq();
    // The link is down 1.4 s: no word, no ping answer. The node silences itself.
    silent(1400, false);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).as("fenced while cut off").isFalse();
    assertThat(node.state()).isEqualTo(PairState.ACTIVE);
    // The link is back. The peer's first heartbeat was written before it heard the node again:
    // it says nothing of now.
    peerSays(PairState.PASSIVE, 0, heardBeforeTheCut);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).isFalse();
    run(100);
    peerAnswers(PairState.PASSIVE, 0);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).as("answering again").isTrue();
    assertThat(node.state()).isEqualTo(PairState.ACTIVE);
    assertThat(roleChanges).isEmpty();
  }

  @Test
  void aNodeCutOffNeverAnswersOnStaleNewsAndYieldsToTheNewerTerm() throws Exception {
    // Issue 25: after the heal the first node took the VIP back on a stale "the peer is passive".
    activePrimaryWithPassivePeer(List.of("10.99.0.1"));
    long heardBeforeTheCut = lastSentSeq();
    silent(1500, false);
    // The peer took over (term 1) while the node was cut off; its older heartbeats arrive first.
    peerSays(PairState.PASSIVE, 0, heardBeforeTheCut);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).isFalse();
    peerAnswers(PairState.ACTIVE, 1);
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).isFalse();
    assertThat(roleChanges).hasSize(1);
    assertThat(roleChanges.get(0)).startsWith("primary is now PASSIVE").contains("term 1");
    // And it stays there: no handback while failback is off.
    for (int i = 0; i < 30; i++) {
      run(100);
      peerAnswers(PairState.ACTIVE, 1);
    }
    assertThat(roleChanges).hasSize(1);
  }

  @Test
  void aFrozenNodeDistrustsItselfBeforeItReadsTheNewsBufferedMeanwhile() throws Exception {
    activePrimaryWithPassivePeer(List.of());
    freeze(3000);
    // The first thing it runs is a buffered heartbeat from before the peer took over.
    peerSays(PairState.PASSIVE, 0, lastSentSeq());
    assertThat(node.leaseWanted(Long.MAX_VALUE)).as("stalled: silent first").isFalse();
    // Then the ones from after: the peer is active at a newer term.
    peerSays(PairState.ACTIVE, 1, lastSentSeq());
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    assertThat(roleChanges).singleElement().asString().contains("stalled for");
  }

  @Test
  void aOneSecondPauseEndsWithTheNodeAnsweringAgainAndNoFailover() throws Exception {
    activePrimaryWithPassivePeer(List.of());
    freeze(1200);
    run(100);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).isFalse();
    peerAnswers(PairState.PASSIVE, 0);
    assertThat(node.leaseWanted(Long.MAX_VALUE)).isTrue();
    assertThat(node.state()).isEqualTo(PairState.ACTIVE);
    assertThat(roleChanges).isEmpty();
  }

  @Test
  void aHeartbeatEchoingAnotherIncarnationDoesNotClearASuspension() throws Exception {
    activePrimaryWithPassivePeer(List.of());
    freeze(2000);
    run(100);
    long realIncarnation = incarnation();
    node.onMessage(
        new StateAnnouncement(
                PairRole.SECONDARY,
                PairState.PASSIVE,
                false,
                replica.version(),
                List.of(),
                0,
                PEER,
                ++peerSeq,
                Long.MAX_VALUE,
                realIncarnation + 1,
                1000,
                false,
                false)
            .toBytes());
    assertThat(node.leaseWanted(Long.MAX_VALUE)).isFalse();
  }

  @Test
  void whenBothAreActiveTheOlderTermYieldsAtOnce() throws Exception {
    activePrimaryWithPassivePeer(List.of());
    peerAnswers(PairState.ACTIVE, 5);
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    assertThat(roleChanges).singleElement().asString().contains("term 5");
  }

  /** The secondary, passive, with an active primary that talks every 100 ms. */
  private void passiveSecondaryWithActivePeer() throws Exception {
    start(PairRole.SECONDARY, List.of("10.99.0.1"));
    view(true);
    for (int i = 0; i < 10; i++) {
      run(100);
      peerAnswers(PairState.ACTIVE, 1);
    }
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
  }

  @Test
  void aSilentPeerIsTakenOverOnlyOnceItsLeaseHasSurelyLapsed() throws Exception {
    passiveSecondaryWithActivePeer();
    long lastHeard = now.get();
    while (node.state() == PairState.PASSIVE && now.get() - lastHeard < 5000 * MS) {
      silent(100, true);
    }
    long after = (now.get() - lastHeard) / MS;
    // The peer stops renewing 1 s after its last news at the latest; its 1 s lease then runs out.
    assertThat(after).isBetween(2200L, 2400L);
    assertThat(roleChanges).singleElement().asString().contains("its lease has lapsed");
  }

  @Test
  void aCrashReportedByTheViewIsTakenOverWithinAFewTicks() throws Exception {
    passiveSecondaryWithActivePeer();
    long killed = now.get();
    view(false);
    while (node.state() == PairState.PASSIVE && now.get() - killed < 2000 * MS) {
      silent(100, true);
    }
    assertThat((now.get() - killed) / MS).isLessThanOrEqualTo(200);
    assertThat(roleChanges).singleElement().asString().contains("its process is gone");
  }

  @Test
  void aViewThatDropsAPeerStillTalkingChangesNothing() throws Exception {
    passiveSecondaryWithActivePeer();
    view(false);
    for (int i = 0; i < 50; i++) {
      run(100);
      peerAnswers(PairState.ACTIVE, 1);
    }
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    assertThat(roleChanges).isEmpty();
  }

  @Test
  void aNodeCutOffLongerThanTheTakeoverTimeGivesItsAddressesUp() throws Exception {
    activePrimaryWithPassivePeer(List.of("10.99.0.1"));
    silent(3000, false);
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    assertThat(roleChanges).singleElement().asString().contains("cut off");
  }

  @Test
  void aCutOffNodeTakesTheRoleBackOnlyFromAPeerThatHasHeardItSince() throws Exception {
    activePrimaryWithPassivePeer(List.of("10.99.0.1"));
    long heardBeforeTheCut = lastSentSeq();
    silent(2300, false);
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    // The link is back. The peer's "passive" was written before it heard this node again: it may
    // be taking over this very moment.
    peerSays(PairState.PASSIVE, 0, heardBeforeTheCut);
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    run(100);
    assertThat(node.state()).isEqualTo(PairState.PASSIVE);
    // Its next word answers this node's heartbeat: it has heard it, and is passive.
    peerAnswers(PairState.PASSIVE, 0);
    assertThat(node.state()).isEqualTo(PairState.ACTIVE);
  }
}
