package org.lbctl.cluster.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.placement.GroupPlacement.Rule;

class GroupOwnershipTest {
  private static final List<String> THREE = List.of("lb1", "lb2", "lb3");

  private static final List<Rule> RULES =
      List.of(
          new Rule("imaging", List.of("lb1", "lb2"), true),
          new Rule("portal", List.of("lb2", "lb3"), true),
          new Rule("hl7", List.of("lb3", "lb1"), true));

  @Test
  void theQuorumRuleNeedsAStrictMajorityFromThreeMembersOn() {
    assertThat(Quorum.holds(3, 2, false)).isTrue();
    assertThat(Quorum.holds(3, 1, false)).isFalse();
    assertThat(Quorum.holds(3, 1, true)).as("the network counts for two members only").isFalse();
    assertThat(Quorum.holds(4, 2, false)).as("half is not a majority").isFalse();
    assertThat(Quorum.holds(5, 3, false)).isTrue();
    assertThat(Quorum.holds(2, 2, false)).as("a pair that sees both").isTrue();
    assertThat(Quorum.holds(2, 1, false)).as("one of a pair, the network silent").isFalse();
    assertThat(Quorum.holds(2, 1, true)).as("one of a pair, the network answering").isTrue();
  }

  @Test
  void aFreshClusterTakesEachGroupOnItsPreferredNode() {
    List<String> live = List.of("lb1", "lb2", "lb3");
    for (String node : live) {
      GroupOwnership.Plan p = GroupOwnership.plan(node, RULES, THREE, live, Map.of(), false);
      assertThat(p.owners())
          .containsEntry("imaging", "lb1")
          .containsEntry("portal", "lb2")
          .containsEntry("hl7", "lb3");
      assertThat(p.take()).hasSize(1);
      assertThat(p.release()).isEmpty();
    }
  }

  @Test
  void aDeadNodesGroupGoesToTheNextPreferredNodeAtOnce() {
    Map<String, Set<String>> held = new HashMap<>();
    held.put("lb2", Set.of("portal"));
    held.put("lb3", Set.of("hl7"));
    // lb1 died holding imaging: lb2 is next in its preference and takes it.
    GroupOwnership.Plan p =
        GroupOwnership.plan("lb2", RULES, THREE, List.of("lb2", "lb3"), held, false);
    assertThat(p.take()).containsExactly("imaging");
    assertThat(p.release()).isEmpty();
  }

  @Test
  void aMovedGroupIsReleasedByItsHolderBeforeItsNewOwnerTakesIt() {
    // lb1 is back; with failback, imaging moves from lb2 to it.
    Map<String, Set<String>> held = new HashMap<>();
    held.put("lb2", Set.of("portal", "imaging"));
    held.put("lb3", Set.of("hl7"));
    held.put("lb1", Set.of());
    List<String> live = List.of("lb1", "lb2", "lb3");
    assertThat(GroupOwnership.plan("lb1", RULES, THREE, live, held, false).take())
        .as("lb2 still holds it")
        .isEmpty();
    assertThat(GroupOwnership.plan("lb2", RULES, THREE, live, held, false).release())
        .containsExactly("imaging");
    held.put("lb2", Set.of("portal"));
    assertThat(GroupOwnership.plan("lb1", RULES, THREE, live, held, false).take())
        .containsExactly("imaging");
  }

  @Test
  void aGroupHandedOverIsPlacedAmongTheOthersUnlessNoneIsLive() {
    Map<String, Set<String>> held = new HashMap<>();
    held.put("lb1", Set.of("imaging"));
    held.put("lb2", Set.of("portal"));
    held.put("lb3", Set.of("hl7"));
    Map<String, Set<String>> yielding = Map.of("lb1", Set.of("imaging"));
    // lb1 hands imaging over: it releases it, and lb2 (next in its preference) takes it.
    assertThat(GroupOwnership.plan("lb1", RULES, THREE, THREE, held, yielding, false).release())
        .containsExactly("imaging");
    held.put("lb1", Set.of());
    GroupOwnership.Plan lb2 =
        GroupOwnership.plan("lb2", RULES, THREE, THREE, held, yielding, false);
    assertThat(lb2.take()).containsExactly("imaging");
    assertThat(lb2.owners()).containsEntry("imaging", "lb2");
    // Without the handover, lb1 is preferred and lb2 would leave it.
    assertThat(GroupOwnership.plan("lb2", RULES, THREE, THREE, held, false).take()).isEmpty();
    // With lb2 gone, imaging goes to lb3 (by its score), still not back to lb1.
    assertThat(
            GroupOwnership.plan("lb1", RULES, THREE, List.of("lb1", "lb3"), held, yielding, false)
                .owners())
        .containsEntry("imaging", "lb3");
    // One of a pair, alone: it takes its group back rather than leave it unserved.
    List<String> pair = List.of("lb1", "lb2");
    assertThat(GroupOwnership.plan("lb1", RULES, pair, List.of("lb1"), held, yielding, true).take())
        .contains("imaging");
  }

  @Test
  void withoutFailbackAGroupStaysOnTheNodeThatHoldsIt() {
    List<Rule> noFailback = List.of(new Rule("imaging", List.of("lb1", "lb2"), false));
    Map<String, Set<String>> held = Map.of("lb2", Set.of("imaging"), "lb1", Set.of());
    List<String> live = List.of("lb1", "lb2", "lb3");
    assertThat(GroupOwnership.plan("lb1", noFailback, THREE, live, held, false).take()).isEmpty();
    assertThat(GroupOwnership.plan("lb2", noFailback, THREE, live, held, false).release())
        .isEmpty();
  }

  @Test
  void aNodeCutOffFromTheMajorityReleasesEverything() {
    Map<String, Set<String>> held = Map.of("lb1", Set.of("imaging", "hl7"));
    GroupOwnership.Plan p = GroupOwnership.plan("lb1", RULES, THREE, List.of("lb1"), held, false);
    assertThat(p.release()).containsExactlyInAnyOrder("imaging", "hl7");
    assertThat(p.take()).isEmpty();
    assertThat(p.owners()).isEmpty();
  }

  @Test
  void aStrangerOrANameSeenTwiceDoesNotMakeAMinorityAMajority() {
    Map<String, Set<String>> held = Map.of("lb1", Set.of("imaging"));
    GroupOwnership.Plan stranger =
        GroupOwnership.plan("lb1", RULES, THREE, List.of("lb1", "intruder"), held, false);
    assertThat(stranger.release()).containsExactly("imaging");
    GroupOwnership.Plan twice =
        GroupOwnership.plan("lb1", RULES, THREE, List.of("lb1", "lb1"), held, false);
    assertThat(twice.release()).containsExactly("imaging");
  }

  @Test
  void aLeavingMemberStillInTheViewKeepsWhatItHoldsFromBeingTakenUntilItLetsGo() {
    // lb4 left the member list but is still in the view, holding imaging: nobody takes it yet.
    List<String> four = List.of("lb1", "lb2", "lb3", "lb4");
    Map<String, Set<String>> held = new HashMap<>();
    held.put("lb4", Set.of("imaging"));
    held.put("lb2", Set.of("portal"));
    held.put("lb3", Set.of("hl7"));
    GroupOwnership.Plan p = GroupOwnership.plan("lb1", RULES, THREE, four, held, false);
    assertThat(p.owners()).containsEntry("imaging", "lb1");
    assertThat(p.take()).as("lb4 still answers for imaging").isEmpty();
    held.put("lb4", Set.of());
    assertThat(GroupOwnership.plan("lb1", RULES, THREE, four, held, false).take())
        .containsExactly("imaging");
  }

  @Test
  void aMemberThatIsNotConfiguredCountsForNoQuorum() {
    // lb1 and a stranger (or a member that left) are two in the view, but one of three members.
    GroupOwnership.Plan p =
        GroupOwnership.plan("lb1", RULES, THREE, List.of("lb1", "lb4"), Map.of(), false);
    assertThat(p.owners()).isEmpty();
    assertThat(p.take()).isEmpty();
  }

  @Test
  void oneOfTwoTakesItsPeersGroupOnlyWhileTheNetworkAnswers() {
    List<String> two = List.of("lb1", "lb2");
    List<Rule> rules = List.of(new Rule("all", List.of("lb1", "lb2"), false));
    Map<String, Set<String>> held = Map.of("lb2", Set.of());
    // lb1, the holder, is gone; lb2 sees only itself.
    GroupOwnership.Plan cutOff =
        GroupOwnership.plan("lb2", rules, two, List.of("lb2"), held, false);
    assertThat(cutOff.take()).isEmpty();
    GroupOwnership.Plan reaching =
        GroupOwnership.plan("lb2", rules, two, List.of("lb2"), held, true);
    assertThat(reaching.take()).containsExactly("all");
    // Holding it, lb2 lets it go once the network stops answering too.
    assertThat(
            GroupOwnership.plan(
                    "lb2", rules, two, List.of("lb2"), Map.of("lb2", Set.of("all")), false)
                .release())
        .containsExactly("all");
  }
}
