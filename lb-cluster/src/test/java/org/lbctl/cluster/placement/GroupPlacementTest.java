package org.lbctl.cluster.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.placement.GroupPlacement.Rule;

class GroupPlacementTest {
  private static final List<String> FIVE = List.of("lb1", "lb2", "lb3", "lb4", "lb5");

  private static List<Rule> groups(int n) {
    return IntStream.range(0, n).mapToObj(i -> new Rule("g" + i, List.of(), true)).toList();
  }

  @Test
  void everyNodeComputesTheSameOwnersWhateverOrderItListsTheMembersIn() {
    List<String> shuffled = new ArrayList<>(FIVE);
    Collections.shuffle(shuffled, new java.util.Random(7));
    assertThat(GroupPlacement.owners(groups(50), shuffled, Map.of()))
        .isEqualTo(GroupPlacement.owners(groups(50), FIVE, Map.of()));
  }

  @Test
  void groupsSpreadOverTheLiveNodes() {
    Map<String, Integer> per = new HashMap<>();
    GroupPlacement.owners(groups(500), FIVE, Map.of())
        .values()
        .forEach(o -> per.merge(o, 1, Integer::sum));
    assertThat(per).containsOnlyKeys(FIVE);
    // 100 each on average; rendezvous hashing stays within a few dozen of that.
    assertThat(per.values()).allSatisfy(n -> assertThat(n).isBetween(70, 130));
  }

  @Test
  void aNodeThatLeavesMovesOnlyItsOwnGroups() {
    Map<String, String> before = GroupPlacement.owners(groups(200), FIVE, Map.of());
    List<String> four = FIVE.stream().filter(n -> !n.equals("lb3")).toList();
    Map<String, String> after = GroupPlacement.owners(groups(200), four, before);
    before.forEach(
        (group, owner) -> {
          if (!owner.equals("lb3")) {
            assertThat(after.get(group)).as(group).isEqualTo(owner);
          } else {
            assertThat(after.get(group)).as(group).isIn(four);
          }
        });
  }

  @Test
  void aGroupGoesToItsFirstLivePreferredNode() {
    Rule pacs = new Rule("pacs", List.of("lb2", "lb1"), true);
    assertThat(GroupPlacement.owner(pacs, FIVE, Optional.of("lb4"))).contains("lb2");
    assertThat(GroupPlacement.owner(pacs, List.of("lb1", "lb3"), Optional.empty())).contains("lb1");
    // Neither preferred node lives: the rendezvous rule decides among the others.
    assertThat(GroupPlacement.owner(pacs, List.of("lb3", "lb4"), Optional.empty()))
        .isPresent()
        .get()
        .isIn("lb3", "lb4");
  }

  @Test
  void withoutFailbackAGroupStaysWithItsLiveOwnerWhenThePreferredNodeReturns() {
    Rule pacs = new Rule("pacs", List.of("lb1", "lb2"), false);
    assertThat(GroupPlacement.owner(pacs, List.of("lb1", "lb2"), Optional.of("lb2")))
        .contains("lb2");
    Rule back = new Rule("pacs", List.of("lb1", "lb2"), true);
    assertThat(GroupPlacement.owner(back, List.of("lb1", "lb2"), Optional.of("lb2")))
        .contains("lb1");
    // Its owner gone, it moves even without failback.
    assertThat(GroupPlacement.owner(pacs, List.of("lb1", "lb3"), Optional.of("lb2")))
        .contains("lb1");
  }

  @Test
  void noLiveNodeOwnsNothing() {
    assertThat(GroupPlacement.owner(new Rule("g", List.of(), true), List.of(), Optional.empty()))
        .isEmpty();
  }
}
