package org.lbctl.core.l4;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.lbctl.core.l4.SlotTable.Member;

class SlotTableTest {
  private static Map<String, Long> shares(SlotTable t) {
    return t.owners().stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  private static List<Member> servers(int n) {
    List<Member> m = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      m.add(new Member("rs" + i, 100));
    }
    return m;
  }

  /** Slots that belonged to a server in both tables but moved to another one. */
  private static int movedAmongSurvivors(SlotTable before, SlotTable after, List<Member> both) {
    List<String> kept = both.stream().map(Member::label).toList();
    int moved = 0;
    for (int s = 0; s < SlotTable.SLOTS; s++) {
      if (kept.contains(before.owner(s)) && !before.owner(s).equals(after.owner(s))) {
        moved++;
      }
    }
    return moved;
  }

  @Test
  void everySlotHasAServerAndEqualWeightsShareEvenly() {
    SlotTable t = SlotTable.of(servers(2));
    assertThat(t.owners()).hasSize(SlotTable.SLOTS).doesNotContainNull();
    assertThat(shares(t)).containsOnlyKeys("rs1", "rs2");
    assertThat(shares(t).values()).allSatisfy(n -> assertThat(n).isBetween(128L, 129L));
  }

  @Test
  void weightsSetTheShares() {
    SlotTable t = SlotTable.of(List.of(new Member("a", 70), new Member("b", 30)));
    // 70 % of 257 = 179.9
    assertThat(shares(t).get("a")).isBetween(177L, 182L);
    assertThat(shares(t).get("b")).isBetween(75L, 80L);
  }

  @Test
  void theTableDependsOnLabelsAndWeightsNotOnTheirOrder() {
    List<Member> m = servers(5);
    SlotTable first = SlotTable.of(m);
    List<Member> shuffled = new ArrayList<>(m);
    Collections.shuffle(shuffled, new Random(7));
    assertThat(SlotTable.of(shuffled).owners()).isEqualTo(first.owners());
  }

  @Test
  void aServerLeavingMovesOnlyItsOwnSlots() {
    List<Member> five = servers(5);
    List<Member> four = five.subList(0, 4).stream().toList();
    SlotTable before = SlotTable.of(five);
    SlotTable after = SlotTable.of(four);
    assertThat(after.owners()).doesNotContain("rs5");
    // rs5 had about 51 slots; of the other 206, Maglev moves a few at most.
    int moved = movedAmongSurvivors(before, after, four);
    System.out.println("slot table: rs5 of 5 left, slots moved between the other four: " + moved);
    assertThat(moved).isLessThanOrEqualTo(SlotTable.SLOTS / 20);
  }

  @Test
  void aServerJoiningTakesItsShareMostlyFromEveryoneAndMovesLittleElse() {
    List<Member> four = servers(4);
    List<Member> five = servers(5);
    SlotTable before = SlotTable.of(four);
    SlotTable after = SlotTable.of(five);
    assertThat(shares(after).get("rs5")).isBetween(49L, 54L);
    int moved = movedAmongSurvivors(before, after, four);
    int takenByNew = shares(after).get("rs5").intValue();
    // Slots that changed hands other than to the newcomer.
    assertThat(moved - takenByNew).isLessThanOrEqualTo(SlotTable.SLOTS / 20);
  }

  @Test
  void noServersMeansAnEmptyTable() {
    assertThat(SlotTable.of(List.of()).isEmpty()).isTrue();
  }

  @Test
  void theSeedComesFromTheLabel() {
    assertThat(SlotTable.seed("dicom")).isEqualTo(SlotTable.seed("dicom"));
    assertThat(SlotTable.seed("dicom")).isNotEqualTo(SlotTable.seed("vna"));
    assertThat(SlotTable.seed("dicom")).isBetween(0L, 0xffffffffL);
  }
}
