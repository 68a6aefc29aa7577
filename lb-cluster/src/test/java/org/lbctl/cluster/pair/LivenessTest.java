package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The liveness rules on a simulated clock, with the orders of events the drills met. */
class LivenessTest {
  private static final long MS = 1_000_000L;
  private static final long LEASE = 1000 * MS;

  /** A peer heard every 100 ms from 0 to {@code until}, in view. */
  private static Liveness heardUntil(long until, boolean pingTargets) {
    Liveness l = new Liveness(pingTargets, 0, LEASE);
    l.view(0, true);
    for (long t = 0; t <= until; t += 100 * MS) {
      l.heard(t, LEASE);
    }
    return l;
  }

  @Test
  void aBlipShorterThanTheDetectionTimeNeverLetsThePeerBeTakenOver() {
    // Cut at 1000 ms, healed 1400 ms later: heartbeats resume at 2400 ms.
    Liveness l = heardUntil(1000 * MS, true);
    for (long t = 1000 * MS; t < 2400 * MS; t += 10 * MS) {
      assertThat(l.peerSurelySilent(t)).as("at %d ms", t / MS).isFalse();
    }
    l.heard(2400 * MS, LEASE);
    assertThat(l.peerPresent(2400 * MS)).isTrue();
  }

  @Test
  void aSilentPeerIsTakenOverOnlyAfterItsLeaseHasSurelyLapsed() {
    Liveness l = heardUntil(1000 * MS, true);
    // It stops renewing 1 s after its last news at the latest, and the lease runs 1 s more.
    long earliest = 1000 * MS + Liveness.SELF_FENCE_NANOS + LEASE;
    assertThat(l.peerPresent(3000 * MS)).isFalse();
    assertThat(l.peerSurelySilent(earliest)).isFalse();
    assertThat(l.peerSurelySilent(earliest + Liveness.MARGIN_NANOS)).isTrue();
  }

  @Test
  void aLongerLeaseOfThePeerIsWaitedOutToo() {
    Liveness l = new Liveness(true, 0, LEASE);
    l.view(0, true);
    l.heard(0, 5000 * MS);
    assertThat(l.peerSurelySilent(6000 * MS)).isFalse();
    assertThat(l.peerSurelySilent(6300 * MS)).isTrue();
  }

  @Test
  void aCrashThatTheViewReportsIsTakenOverAtOnceWithoutWaitingForTheLease() {
    Liveness l = heardUntil(1000 * MS, true);
    long drop = 1050 * MS;
    l.view(drop, false);
    // Until the probe sent at the drop had time to be answered, it could be a stale suspicion.
    assertThat(l.peerPresent(drop + Liveness.CRASH_NANOS - MS)).isTrue();
    assertThat(l.peerSurelySilent(drop + Liveness.CRASH_NANOS - MS)).isFalse();
    assertThat(l.peerPresent(drop + Liveness.CRASH_NANOS)).isFalse();
    assertThat(l.peerSurelySilent(drop + Liveness.CRASH_NANOS)).isTrue();
    assertThat(l.lostByCrash()).isTrue();
  }

  @Test
  void aViewThatDropsAPeerStillHeardIsAStaleSuspicionAndChangesNothing() {
    // After a blip, FD_ALL3's suspicion removes the peer from the view although it talks again.
    Liveness l = heardUntil(3000 * MS, true);
    l.view(3050 * MS, false);
    for (long t = 3100 * MS; t <= 8000 * MS; t += 100 * MS) {
      l.heard(t, LEASE);
      assertThat(l.peerPresent(t + 50 * MS)).as("at %d ms", t / MS).isTrue();
      assertThat(l.peerSurelySilent(t + 50 * MS)).isFalse();
    }
  }

  @Test
  void aViewThatDropsAPeerAfterASecondOfSilenceIsACutNotACrash() {
    // FD_ALL3 may drop a peer after 1.5 s of silence; behind a cut its lease may still run.
    Liveness l = heardUntil(1000 * MS, true);
    l.view(2600 * MS, false);
    assertThat(l.lostByCrash()).isFalse();
    assertThat(l.peerSurelySilent(2700 * MS)).isFalse();
    assertThat(l.peerSurelySilent(3200 * MS)).isTrue();
  }

  @Test
  void aPeerDroppedFromTheViewAfterTheDetectionTimeIsNotACrash() {
    // FD_ALL3 drops a frozen peer after 2 s of silence: its lease must still be waited out.
    Liveness l = heardUntil(1000 * MS, true);
    l.view(3000 * MS, false);
    assertThat(l.peerSurelySilent(3000 * MS)).isFalse();
    assertThat(l.peerSurelySilent(3200 * MS)).isTrue();
  }

  @Test
  void afterAStallSilenceCountsFromTheResumeNotFromBeforeTheFreeze() {
    // This node froze 3 s: the peer's last heartbeat is 3 s old, but that says nothing of now.
    Liveness l = heardUntil(1000 * MS, true);
    l.stalled(4000 * MS);
    assertThat(l.peerPresent(4000 * MS)).isTrue();
    assertThat(l.peerSurelySilent(4000 * MS)).isFalse();
    assertThat(l.peerSurelySilent(6100 * MS)).isFalse();
    assertThat(l.peerSurelySilent(6300 * MS)).isTrue();
  }

  @Test
  void anActiveNodeKeepsItsLeaseWhileItHearsThePeerOrItsNetworkAnswers() {
    Liveness l = heardUntil(1000 * MS, true);
    assertThat(l.mayHoldLease(1900 * MS)).isTrue();
    assertThat(l.mayHoldLease(2000 * MS)).as("a second of silence, no ping answer").isFalse();
    l.pingResult(1600 * MS, true);
    assertThat(l.mayHoldLease(2000 * MS))
        .as("the network answers: the peer is the silent one")
        .isTrue();
    assertThat(l.mayHoldLease(2700 * MS)).as("that answer is old now").isFalse();
  }

  @Test
  void withoutPingTargetsTheNetworkIsTrusted() {
    Liveness l = heardUntil(1000 * MS, false);
    assertThat(l.wantsPing(5000 * MS)).isFalse();
    assertThat(l.mayHoldLease(5000 * MS)).isTrue();
    assertThat(l.networkSettled(5000 * MS)).isTrue();
  }

  @Test
  void aNodeWhoseNetworkFailedWaitsADetectionTimeOfAnswersBeforeItJudgesThePeerGone() {
    // A passive node cut off for 10 s: when its link returns, the active peer is heard within
    // 100 ms; until then its silence is no reason to take over.
    Liveness l = heardUntil(1000 * MS, true);
    l.pingResult(9500 * MS, false);
    l.pingResult(10_100 * MS, true);
    assertThat(l.peerSurelySilent(10_100 * MS)).isTrue();
    assertThat(l.networkSettled(10_100 * MS)).isFalse();
    l.pingResult(11_000 * MS, true);
    assertThat(l.networkSettled(11_000 * MS)).isFalse();
    l.pingResult(11_600 * MS, true);
    assertThat(l.networkSettled(11_600 * MS)).isTrue();
  }

  @Test
  void aJoiningPeerIsPresentByItsViewBeforeItsFirstHeartbeat() {
    Liveness l = new Liveness(true, 0, LEASE);
    assertThat(l.peerPresent(0)).isFalse();
    l.view(10 * MS, true);
    assertThat(l.peerPresent(10 * MS)).isTrue();
  }

  @Test
  void aNodeThatStartsAloneWaitsOutTheLeaseOfAPeerItHasNotHeardYet() {
    // Its first view may miss an active peer (a lost discovery packet): that peer's lease runs.
    Liveness l = new Liveness(true, 5000 * MS, LEASE);
    assertThat(l.peerSurelySilent(5000 * MS)).isFalse();
    assertThat(l.peerSurelySilent(7100 * MS)).isFalse();
    assertThat(l.peerSurelySilent(7200 * MS)).isTrue();
  }

  @Test
  void aPeerThatAnswersTheProbeAfterTheViewDroppedItIsNoCrash() {
    Liveness l = heardUntil(1000 * MS, true);
    l.view(1050 * MS, false);
    l.heard(1052 * MS, LEASE);
    assertThat(l.lostByCrash()).isFalse();
    assertThat(l.peerPresent(1500 * MS)).isTrue();
    assertThat(l.peerSurelySilent(1500 * MS)).isFalse();
    // Then it dies without a view to say so: its silence is waited out in full.
    assertThat(l.peerSurelySilent(3200 * MS)).isFalse();
    assertThat(l.peerSurelySilent(3300 * MS)).isTrue();
  }
}
