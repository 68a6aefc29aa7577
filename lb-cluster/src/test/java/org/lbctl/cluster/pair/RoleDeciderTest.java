package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lbctl.cluster.pair.PairState.ACTIVE;
import static org.lbctl.cluster.pair.PairState.PASSIVE;
import static org.lbctl.core.config.PairRole.PRIMARY;
import static org.lbctl.core.config.PairRole.SECONDARY;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.PairRole;

class RoleDeciderTest {
  private static PairState decide(
      PairRole role, PairState current, PairState peer, boolean failback, boolean yielding) {
    return RoleDecider.decide(
        new RoleInputs(role, current, true, Optional.ofNullable(peer), true, failback, yielding));
  }

  private static PairState alone(PairState current, boolean pingOk) {
    return RoleDecider.decide(
        new RoleInputs(SECONDARY, current, false, Optional.empty(), pingOk, false, false));
  }

  @Test
  void aPairStartingUpMakesThePrimaryActive() {
    assertThat(decide(PRIMARY, PASSIVE, PASSIVE, false, false)).isEqualTo(ACTIVE);
    assertThat(decide(SECONDARY, PASSIVE, PASSIVE, false, false)).isEqualTo(PASSIVE);
  }

  @Test
  void aNodeAloneIsActiveOnlyWhileItsPingTargetsAnswer() {
    assertThat(alone(PASSIVE, true)).isEqualTo(ACTIVE);
    assertThat(alone(ACTIVE, true)).isEqualTo(ACTIVE);
    assertThat(alone(PASSIVE, false)).as("isolated: no grab").isEqualTo(PASSIVE);
    assertThat(alone(ACTIVE, false)).as("isolated: gives the addresses up").isEqualTo(PASSIVE);
  }

  @Test
  void afterAPartitionHealsThePrimaryKeepsTheRole() {
    assertThat(decide(PRIMARY, ACTIVE, ACTIVE, false, false)).isEqualTo(ACTIVE);
    assertThat(decide(SECONDARY, ACTIVE, ACTIVE, false, false)).isEqualTo(PASSIVE);
  }

  @Test
  void aRecoveredPrimaryStaysPassiveUnlessFailbackIsSet() {
    // Default: the secondary keeps serving, the returning primary waits.
    assertThat(decide(SECONDARY, ACTIVE, PASSIVE, false, false)).isEqualTo(ACTIVE);
    assertThat(decide(PRIMARY, PASSIVE, ACTIVE, false, false)).isEqualTo(PASSIVE);
    // Failback: the secondary steps down; then both are passive and the primary takes over.
    assertThat(decide(SECONDARY, ACTIVE, PASSIVE, true, false)).isEqualTo(PASSIVE);
    assertThat(decide(PRIMARY, PASSIVE, PASSIVE, true, false)).isEqualTo(ACTIVE);
  }

  @Test
  void aNodeThatYieldedStaysPassiveWhileThePeerIsThere() {
    assertThat(decide(PRIMARY, ACTIVE, PASSIVE, false, true)).isEqualTo(PASSIVE);
    assertThat(decide(PRIMARY, PASSIVE, PASSIVE, false, true)).isEqualTo(PASSIVE);
    // The secondary, told of the handover, sees a passive primary and... stays passive by the
    // role rules: the handover itself makes it active (see PairController), not this table.
    assertThat(
            RoleDecider.decide(
                new RoleInputs(PRIMARY, PASSIVE, false, Optional.empty(), true, false, true)))
        .as("the peer died after the yield: take over")
        .isEqualTo(ACTIVE);
  }

  @Test
  void untilThePeerSpeaksTheStateIsKept() {
    assertThat(decide(PRIMARY, PASSIVE, null, false, false)).isEqualTo(PASSIVE);
    assertThat(decide(SECONDARY, ACTIVE, null, false, false)).isEqualTo(ACTIVE);
  }

  private static PairState withConfig(
      PairRole role, PairState current, PairState peer, boolean behind, boolean peerBehind) {
    return RoleDecider.decide(
        new RoleInputs(
            role, current, true, Optional.of(peer), true, true, false, behind, peerBehind, 0, 0));
  }

  @Test
  void aNodeBehindOnConfigurationDoesNotBecomeActive() {
    // A primary back with an old version waits for the pair's current one, failback or not.
    assertThat(withConfig(PRIMARY, PASSIVE, PASSIVE, true, false)).isEqualTo(PASSIVE);
    // ... and the secondary that holds it takes the role instead of leaving nobody active.
    assertThat(withConfig(SECONDARY, PASSIVE, PASSIVE, false, true)).isEqualTo(ACTIVE);
    // With failback, an active secondary does not step down for a primary that is behind.
    assertThat(withConfig(SECONDARY, ACTIVE, PASSIVE, false, true)).isEqualTo(ACTIVE);
    // Once in sync, failback proceeds.
    assertThat(withConfig(SECONDARY, ACTIVE, PASSIVE, false, false)).isEqualTo(PASSIVE);
    // An active node is not demoted for being behind: it takes the version in a moment.
    assertThat(withConfig(PRIMARY, ACTIVE, PASSIVE, true, false)).isEqualTo(ACTIVE);
  }

  @Test
  void exactlyOneServesWhicheverNodeIsBehind() {
    for (PairState a : PairState.values()) {
      for (PairState b : PairState.values()) {
        for (boolean failback : new boolean[] {false, true}) {
          for (int behind = 0; behind < 3; behind++) {
            // 0: in sync, 1: the primary is behind, 2: the secondary is behind.
            boolean primaryBehind = behind == 1;
            boolean secondaryBehind = behind == 2;
            PairState p = a;
            PairState s = b;
            for (int round = 0; round < 4; round++) {
              PairState np =
                  RoleDecider.decide(
                      new RoleInputs(
                          PRIMARY,
                          p,
                          true,
                          Optional.of(s),
                          true,
                          failback,
                          false,
                          primaryBehind,
                          secondaryBehind,
                          0,
                          0));
              PairState ns =
                  RoleDecider.decide(
                      new RoleInputs(
                          SECONDARY,
                          s,
                          true,
                          Optional.of(np),
                          true,
                          failback,
                          false,
                          secondaryBehind,
                          primaryBehind,
                          0,
                          0));
              p = np;
              s = ns;
            }
            String what = a + "/" + b + " failback=" + failback + " behind=" + behind;
            assertThat(p == ACTIVE && s == ACTIVE).as(what).isFalse();
            assertThat(p == ACTIVE || s == ACTIVE).as("someone serves: " + what).isTrue();
          }
        }
      }
    }
  }

  @Test
  void neverBothActiveOnceBothHaveSpoken() {
    for (PairState a : PairState.values()) {
      for (PairState b : PairState.values()) {
        for (boolean failback : new boolean[] {false, true}) {
          // Iterate each node's decision against the other's announced state until stable.
          PairState p = a;
          PairState s = b;
          for (int round = 0; round < 4; round++) {
            PairState np = decide(PRIMARY, p, s, failback, false);
            PairState ns = decide(SECONDARY, s, np, failback, false);
            p = np;
            s = ns;
          }
          assertThat(p == ACTIVE && s == ACTIVE).as("%s/%s failback=%s", a, b, failback).isFalse();
          assertThat(p == ACTIVE || s == ACTIVE)
              .as("someone serves: %s/%s failback=%s", a, b, failback)
              .isTrue();
        }
      }
    }
  }

  private static PairState bothActive(PairRole role, long term, long peerTerm) {
    return RoleDecider.decide(
        new RoleInputs(
            role,
            ACTIVE,
            true,
            Optional.of(ACTIVE),
            true,
            false,
            false,
            false,
            false,
            term,
            peerTerm));
  }

  @Test
  void whenBothAreActiveTheHigherTermStaysWhicheverTheRole() {
    assertThat(bothActive(SECONDARY, 7, 6)).as("the secondary took over last").isEqualTo(ACTIVE);
    assertThat(bothActive(PRIMARY, 6, 7)).as("the primary is the stale one").isEqualTo(PASSIVE);
    assertThat(bothActive(PRIMARY, 7, 7)).as("a tie: the primary").isEqualTo(ACTIVE);
    assertThat(bothActive(SECONDARY, 7, 7)).isEqualTo(PASSIVE);
  }
}
