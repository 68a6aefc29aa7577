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
      GroupControllers.unfenced(
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

            @Override
            public void announce(String group) {
              events.add("announce " + group);
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
  void aHandOverReleasesTheGroupsAndSaysSoUntilAnotherMemberHoldsThem() throws Exception {
    List<String> told = new CopyOnWriteArrayList<>();
    lb1.start(bytes -> told.add(new String(bytes, StandardCharsets.UTF_8)));
    assertThatThrownBy(lb1::handOver).hasMessage("this node holds no group");
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb2", held());
    lb1.onMessage("lb3", held());
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));

    assertThat(lb1.handOver()).containsExactly("imaging");
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().isEmpty());
    assertThat(told.get(told.size() - 1)).contains("\"yielding\":[\"imaging\"]");
    // imaging prefers lb1 and fails back, but lb1 keeps out of it while lb2 holds it.
    lb1.onMessage("lb2", held("imaging"));
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(() -> lb1.holding().isEmpty());
    assertThat(told.get(told.size() - 1)).contains("yielding");
    assertThat(events).containsExactly("take imaging", "release imaging");
  }

  @Test
  void aGroupAnotherMemberHeldTooIsAnnouncedAgainOnceItLetsGo() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb2", held());
    lb1.onMessage("lb3", held());
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
    // Each thought the other gone (a healed partition): lb2 took imaging and announced it.
    lb1.onMessage("lb2", held("imaging"));
    await()
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(1))
        .until(() -> !events.contains("announce imaging"));
    lb1.onMessage("lb2", held());
    await().atMost(Duration.ofSeconds(2)).until(() -> events.contains("announce imaging"));
    assertThat(events).containsExactly("take imaging", "announce imaging");
  }

  private static byte[] stamped(long seq, String... groups) {
    String list = groups.length == 0 ? "" : "\"" + String.join("\",\"", groups) + "\"";
    return ("{\"type\":\"held\",\"groups\":["
            + list
            + "],\"leaseMs\":1000,\"inc\":7,\"seq\":"
            + seq
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aWordThatArrivesAfterALaterOneOfTheSameRunIsIgnored() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb3", held());
    lb1.onMessage("lb2", stamped(5, "imaging"));
    // The reliable copy of an older word, held up behind a gap: it says nothing of now.
    lb1.onMessage("lb2", stamped(4));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(events::isEmpty);
    lb1.onMessage("lb2", stamped(6));
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
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
  void fewerThanThreeMembersAreRefusedUnlessTwoHaveAWitness() {
    assertThatThrownBy(() -> GroupControllers.unfenced("lb1", RULES, List.of("lb1", "lb2"), null))
        .hasMessageStartingWith(
            "VIP groups need a cluster of three members or more, or two with ping targets");
    assertThatThrownBy(() -> GroupControllers.unfenced("lb1", RULES, List.of("lb1"), null))
        .hasMessageStartingWith("VIP groups need a cluster of three members or more");
    assertThatThrownBy(() -> GroupControllers.unfenced("lb9", RULES, THREE, null))
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

  /** A witness the test answers for: reachable for a second from each answer while {@code up}. */
  private static final class TestWitness implements NetworkWitness {
    volatile boolean up;
    final java.util.concurrent.atomic.AtomicInteger asked =
        new java.util.concurrent.atomic.AtomicInteger();
    private volatile long until = Long.MIN_VALUE;

    @Override
    public void ask(Runnable answered) {
      asked.incrementAndGet();
      if (up) {
        until = System.nanoTime() + 1_000_000_000L;
      }
      answered.run();
    }

    @Override
    public long reachableUntil() {
      return until;
    }
  }

  /** lb2 of a pair with lb1, one group preferring lb1, {@code network} as the witness. */
  private static GroupController pairMember(TestWitness network, List<String> events2) {
    return new GroupController(
        "lb2",
        () -> List.of(new Rule("all", List.of("lb1", "lb2"), false)),
        List.of("lb1", "lb2"),
        new GroupHost() {
          @Override
          public void take(String group) {
            events2.add("take " + group);
          }

          @Override
          public void release(String group) {
            events2.add("release " + group);
          }
        },
        org.lbctl.cluster.floating.Fence.NONE,
        System::nanoTime,
        () -> GroupWord.About.NONE,
        CrashProbe.TRUST_THE_VIEW,
        network);
  }

  @Test
  void oneOfTwoStartingAloneWaitsForAPeerItHasNeverHeardBeforeTakingAnything() {
    TestWitness network = new TestWitness();
    network.up = true;
    List<String> events2 = new CopyOnWriteArrayList<>();
    GroupController lb2 = pairMember(network, events2);
    try {
      lb2.start(bytes -> {});
      lb2.onView(new ClusterMembership.View(List.of("lb2"), false));
      // lb1 may be up and not found yet: a peer's lease and a takeover's wait, 2.5 s.
      await().during(Duration.ofMillis(2000)).atMost(Duration.ofSeconds(3)).until(events2::isEmpty);
      await().atMost(Duration.ofSeconds(2)).until(() -> lb2.holding().equals(Set.of("all")));
    } finally {
      lb2.close();
    }
  }

  @Test
  void oneOfTwoTakesItsPeersGroupWhenTheNetworkAnswersAndGivesUpWhenItDoesNot() {
    TestWitness network = new TestWitness();
    List<String> events2 = new CopyOnWriteArrayList<>();
    GroupController lb2 = pairMember(network, events2);
    try {
      lb2.start(bytes -> {});
      lb2.onView(new ClusterMembership.View(List.of("lb1", "lb2"), false));
      lb2.onMessage("lb1", held("all"));
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(events2::isEmpty);
      int asked = network.asked.get();
      // lb1 crashes while the network is silent for lb2: lb2 may be the one cut off, it waits.
      lb2.onView(new ClusterMembership.View(List.of("lb2"), false));
      await().atMost(Duration.ofSeconds(2)).until(() -> network.asked.get() > asked);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(events2::isEmpty);
      assertThat(lb2.status().quorum()).isFalse();
      // The network answers: lb2 takes the group.
      network.up = true;
      await().atMost(Duration.ofSeconds(2)).until(() -> lb2.holding().equals(Set.of("all")));
      // The status is the snapshot the worker writes after the step that took the group.
      await().atMost(Duration.ofSeconds(1)).until(() -> lb2.status().quorum());
      assertThat(lb2.lease().leaseWanted(Long.MAX_VALUE)).isTrue();
      // It stops answering: lb2 gives the group up and stops wanting its lease.
      network.up = false;
      await().atMost(Duration.ofSeconds(3)).until(() -> lb2.holding().isEmpty());
      assertThat(lb2.lease().leaseWanted(Long.MAX_VALUE)).isFalse();
      assertThat(events2).containsExactly("take all", "release all");
    } finally {
      lb2.close();
    }
  }
}
