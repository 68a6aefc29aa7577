package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules for taking a departed member's groups and for keeping the lease, on a chosen clock. */
class MemberSilenceTest {
  private static final long MS = 1_000_000L;
  private static final long LEASE = 1000 * MS;
  private final MemberSilence s = new MemberSilence("lb1", List.of("lb1", "lb2", "lb3"));

  @Test
  void aMemberDroppedWhileBeingHeardWhoseProcessIsGoneIsTakenOverAtOnce() {
    s.view(List.of("lb1", "lb2", "lb3"), 0);
    s.heard("lb2", 1000 * MS, LEASE);
    assertThat(s.surelySilent("lb2", 1150 * MS)).as("still in the view").isFalse();
    assertThat(s.view(List.of("lb1", "lb3"), 1150 * MS)).as("to be probed").containsExactly("lb2");
    assertThat(s.surelySilent("lb2", 1150 * MS)).as("before the probe's answer").isFalse();
    s.probed("lb2", true);
    assertThat(s.crashed("lb2")).isTrue();
    assertThat(s.surelySilent("lb2", 1150 * MS)).isTrue();
  }

  @Test
  void aMemberDroppedWhileBeingHeardWhoseProcessRunsWaitsOutItsLease() {
    // Cut off from the view's coordinator, not from this node: the view drops it all the same.
    s.view(List.of("lb1", "lb2", "lb3"), 0);
    s.heard("lb2", 1000 * MS, LEASE);
    s.view(List.of("lb1", "lb3"), 1150 * MS);
    s.probed("lb2", false);
    assertThat(s.crashed("lb2")).isFalse();
    assertThat(s.surelySilent("lb2", 1000 * MS + 2500 * MS - 1)).isFalse();
    assertThat(s.surelySilent("lb2", 1000 * MS + 2500 * MS)).isTrue();
  }

  @Test
  void aMemberDroppedAfterASilenceIsTakenOverOnlyOnceItsLeaseSurelyLapsed() {
    s.view(List.of("lb1", "lb2", "lb3"), 0);
    s.heard("lb2", 1000 * MS, LEASE);
    // Dropped by the failure detector after 2 s of silence: frozen or cut, its lease may run.
    s.view(List.of("lb1", "lb3"), 3000 * MS);
    assertThat(s.crashed("lb2")).isFalse();
    // It stops renewing 1 s after it last heard a majority; then its 1 s lease; then 500 ms (its
    // last word may be 200 ms older than its last renewal's check, and a renewal takes time).
    assertThat(s.view(List.of("lb1", "lb3"), 3000 * MS)).isEmpty();
    s.probed("lb2", true); // an answer about an unsuspected member changes nothing
    assertThat(s.surelySilent("lb2", 3100 * MS)).isFalse();
    assertThat(s.surelySilent("lb2", 1000 * MS + 2500 * MS - 1)).isFalse();
    assertThat(s.surelySilent("lb2", 1000 * MS + 2500 * MS)).isTrue();
  }

  @Test
  void theLeaseAMemberAnnouncedIsTheOneWaitedFor() {
    s.view(List.of("lb1", "lb2", "lb3"), 0);
    s.heard("lb2", 0, 5000 * MS);
    s.view(List.of("lb1", "lb3"), 2500 * MS);
    assertThat(s.surelySilent("lb2", 6400 * MS)).isFalse();
    assertThat(s.surelySilent("lb2", 6500 * MS)).isTrue();
  }

  @Test
  void itSaysWhenADepartedMemberWillBeSilentSoTheControllerDecidesRightThen() {
    s.view(List.of("lb1", "lb2", "lb3"), 0);
    s.heard("lb2", 1000 * MS, LEASE);
    s.heard("lb3", 1000 * MS, LEASE);
    s.view(List.of("lb1", "lb3"), 1150 * MS);
    assertThat(s.silentAt("lb2")).as("until the probe answers").isEqualTo(3500 * MS);
    s.probed("lb2", true);
    assertThat(s.silentAt("lb2")).isEqualTo(1150 * MS);
    assertThat(s.surelySilent("lb2", s.silentAt("lb2"))).isTrue();
    assertThat(s.surelySilent("lb2", s.silentAt("lb2") - 1)).isFalse();
    s.view(List.of("lb1"), 2500 * MS); // lb3 after 1.5 s of silence
    assertThat(s.silentAt("lb3")).isEqualTo(3500 * MS);
    assertThat(s.silentAt("lb1")).as("in the view").isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void aMemberInTheViewIsNeverSilentForThisRule() {
    s.view(List.of("lb1", "lb2", "lb3"), 0);
    s.heard("lb2", 0, LEASE);
    assertThat(s.surelySilent("lb2", 60_000 * MS)).isFalse();
  }

  @Test
  void afterThisNodeStalledSilenceCountsFromTheStallAndNoDropIsACrash() {
    s.view(List.of("lb1", "lb2", "lb3"), 0);
    s.heard("lb2", 1000 * MS, LEASE);
    s.stalled(1500 * MS);
    s.view(List.of("lb1", "lb3"), 1600 * MS);
    assertThat(s.crashed("lb2")).as("news from before the stall says nothing").isFalse();
    assertThat(s.surelySilent("lb2", 3900 * MS)).isFalse();
    assertThat(s.surelySilent("lb2", 4000 * MS)).isTrue();
  }

  @Test
  void aMajorityIsHeardForOneSecondAfterTheLatestWordsOfEnoughMembers() {
    assertThat(s.majorityHeardUntil()).isEqualTo(Long.MIN_VALUE);
    s.heard("lb3", 400 * MS, LEASE);
    // lb1 and lb3 make two of three.
    assertThat(s.majorityHeardUntil()).isEqualTo(1400 * MS);
    s.heard("lb2", 900 * MS, LEASE);
    assertThat(s.majorityHeardUntil()).isEqualTo(1900 * MS);
    s.stalled(1000 * MS);
    assertThat(s.majorityHeardUntil()).isEqualTo(Long.MIN_VALUE);
    s.heard("lb2", 1100 * MS, LEASE);
    assertThat(s.majorityHeardUntil()).isEqualTo(2100 * MS);
  }

  @Test
  void inFiveMembersTwoOthersMustBeHeard() {
    MemberSilence five = new MemberSilence("lb1", List.of("lb1", "lb2", "lb3", "lb4", "lb5"));
    five.heard("lb2", 100 * MS, LEASE);
    assertThat(five.majorityHeardUntil()).isEqualTo(Long.MIN_VALUE);
    five.heard("lb5", 300 * MS, LEASE);
    assertThat(five.majorityHeardUntil()).isEqualTo(1100 * MS);
  }
}
