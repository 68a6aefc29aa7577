package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.lbctl.cluster.groups.HeldWords.held;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.members.ClusterMembership;
import org.lbctl.cluster.placement.GroupPlacement.Rule;

/** One controller fed views and messages by the test, in the order the test chooses. */
class GroupControllerTest {
  private static final List<String> THREE = List.of("lb1", "lb2", "lb3");
  private static final List<Rule> RULES =
      List.of(
          new Rule("imaging", List.of("lb1", "lb2"), true),
          new Rule("portal", List.of("lb2", "lb3"), true));

  private final List<String> events = new CopyOnWriteArrayList<>();
  private volatile boolean releaseFails;
  private final GroupController lb1 =
      new GroupController(
          "lb1",
          RULES,
          THREE,
          new GroupHost() {
            @Override
            public void take(String group) {
              events.add("take " + group);
            }

            @Override
            public void release(String group) throws Exception {
              if (releaseFails) {
                throw new java.io.IOException("ip addr del failed");
              }
              events.add("release " + group);
            }
          });

  @AfterEach
  void stop() {
    releaseFails = false;
    lb1.close();
  }

  private void view(String... members) {
    lb1.onView(new ClusterMembership.View(List.of(members), false));
  }

  @Test
  void nothingIsTakenBeforeEveryLiveMemberHasSaidWhatItHolds() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb2", held());
    // lb3 has not spoken: it may hold imaging, so lb1 waits.
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(events::isEmpty);
    lb1.onMessage("lb3", held());
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
    assertThat(events).containsExactly("take imaging");
  }

  @Test
  void aGroupHeldByAnotherMemberIsTakenOnlyOnceThatMemberLetsItGo() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb3", held());
    lb1.onMessage("lb2", held("imaging", "portal"));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(events::isEmpty);
    lb1.onMessage("lb2", held("portal"));
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().contains("imaging"));
  }

  @Test
  void aMalformedWordIsIgnoredRatherThanTakenForHoldingNothing() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb3", held());
    lb1.onMessage("lb2", held("imaging"));
    lb1.onMessage("lb2", "{\"type\":\"held\"}".getBytes(StandardCharsets.UTF_8));
    lb1.onMessage(
        "lb2", "{\"type\":\"held\",\"groups\":\"imaging\"}".getBytes(StandardCharsets.UTF_8));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(events::isEmpty);
  }

  @Test
  void aReleaseThatFailsKeepsTheGroupHeldAndIsTriedAgain() {
    List<String> told = new CopyOnWriteArrayList<>();
    lb1.start(bytes -> told.add(new String(bytes, StandardCharsets.UTF_8)));
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb2", held());
    lb1.onMessage("lb3", held());
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
    releaseFails = true;
    view("lb1"); // alone of three: no quorum
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> lb1.holding().equals(Set.of("imaging")));
    assertThat(told.get(told.size() - 1)).contains("imaging");
    releaseFails = false;
    await().atMost(Duration.ofSeconds(3)).until(() -> lb1.holding().isEmpty());
    assertThat(events).containsExactly("take imaging", "release imaging");
  }

  @Test
  void nothingIsTakenWhileALiveMemberRunsAnotherGroupLayout() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb3", held());
    lb1.onMessage(
        "lb2",
        "{\"type\":\"held\",\"groups\":[],\"leaseMs\":1000,\"layout\":\"0123abcd\"}"
            .getBytes(StandardCharsets.UTF_8));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(events::isEmpty);
    assertThat(lb1.status().members())
        .filteredOn(m -> m.name().equals("lb2"))
        .singleElement()
        .satisfies(m -> assertThat(m.sameLayout()).isFalse());
    lb1.onMessage("lb2", held()); // reloaded: the same layout as lb1's
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
  }

  @Test
  void fewerThanThreeMembersAreRefused() {
    assertThatThrownBy(() -> new GroupController("lb1", RULES, List.of("lb1", "lb2"), null))
        .hasMessageStartingWith("VIP groups need a cluster of three members or more");
    assertThatThrownBy(() -> new GroupController("lb9", RULES, THREE, null))
        .hasMessage("this node ('lb9') is not among the members [lb1, lb2, lb3]");
  }

  @Test
  void theMemberListCanGrowAndShrinkAndQuorumCountsTheNewOne() {
    lb1.start(bytes -> {});
    view("lb1", "lb2");
    lb1.onMessage("lb2", held("portal"));
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
    assertThat(lb1.status().quorum()).isTrue();
    // Two more members join the list; lb1 sees two of five: no majority, it lets go.
    lb1.members(List.of("lb1", "lb2", "lb3", "lb4", "lb5"));
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().isEmpty());
    assertThat(lb1.status().quorum()).isFalse();
    assertThat(lb1.status().members()).extracting(m -> m.name()).contains("lb4", "lb5");
    // They leave the list again: two of three, and imaging comes back.
    lb1.members(THREE);
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
    assertThat(events).containsExactly("take imaging", "release imaging", "take imaging");
  }

  @Test
  void aMemberLeavingTheListIsStillHeardSoWhatItHoldsIsTakenOnlyOnceItLetsGo() {
    lb1.start(bytes -> {});
    lb1.members(List.of("lb1", "lb2", "lb3", "lb4"));
    view("lb1", "lb2", "lb3", "lb4");
    lb1.onMessage("lb2", held("portal"));
    lb1.onMessage("lb3", held());
    lb1.onMessage("lb4", held("imaging"));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(events::isEmpty);
    // lb4 leaves the member list; it still answers for imaging until it says otherwise.
    lb1.members(THREE);
    lb1.onMessage("lb4", held("imaging"));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(events::isEmpty);
    lb1.onMessage("lb4", held());
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
  }
}
