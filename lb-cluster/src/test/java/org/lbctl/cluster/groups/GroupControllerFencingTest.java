package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.lbctl.cluster.groups.HeldWords.echoing;
import static org.lbctl.cluster.groups.HeldWords.held;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.members.ClusterMembership;
import org.lbctl.cluster.placement.GroupPlacement.Rule;
import org.lbctl.core.config.FloatingIp;

/**
 * What keeps a group from being answered twice: a departed holder's lease, this node's own lease,
 * and a freeze of this node. One controller on a clock the test moves; the test feeds its views and
 * its members' words.
 */
class GroupControllerFencingTest {
  private static final long MS = 1_000_000L;
  private static final List<String> THREE = List.of("lb1", "lb2", "lb3");
  private static final List<Rule> RULES = List.of(new Rule("imaging", List.of("lb1", "lb2"), true));
  private static final FloatingIp IMAGING = FloatingIp.parse("10.99.0.100/32").orElseThrow();

  private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
  private final List<String> events = new CopyOnWriteArrayList<>();
  // What a departed member's host answers the probe: its process runs (or the probe cannot tell).
  private volatile boolean processRuns;
  private final Fence fence = new RecordingFence(events, true);
  private final GroupController lb1 =
      new GroupController(
          "lb1",
          () -> RULES,
          THREE,
          new GroupHost() {
            @Override
            public void take(String group) {
              events.add("take " + group);
            }

            @Override
            public void release(String group) {
              events.add("release " + group);
            }

            @Override
            public List<FloatingIp> guarded() {
              return List.of(IMAGING);
            }
          },
          fence,
          clock::get,
          () -> GroupWord.About.NONE,
          member -> !processRuns,
          NetworkWitness.NONE);

  @AfterEach
  void stop() {
    lb1.close();
  }

  private void view(String... members) {
    lb1.onView(new ClusterMembership.View(List.of(members), false));
  }

  /** Moves the clock on, in steps the worker sees one by one (a jump of 1 s is a freeze). */
  private void advance(long millis, String... speaking) {
    long left = millis;
    while (left > 0) {
      long step = Math.min(300, left);
      clock.addAndGet(step * MS);
      left -= step;
      for (String m : speaking) {
        lb1.onMessage(m, held());
      }
      settle();
    }
  }

  /** Waits until the worker ran two steps more: what was handed to it before is done. */
  private void settle() {
    long seen = lb1.steps();
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.steps() >= seen + 2);
  }

  /** lb2 holds imaging, lb3 nothing, all three in the view. */
  private void lb2HoldsImaging() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb3", held());
    lb1.onMessage("lb2", held("imaging"));
    settle();
  }

  private void lb1HoldsImaging() {
    lb1.start(bytes -> {});
    view("lb1", "lb2", "lb3");
    lb1.onMessage("lb2", held());
    lb1.onMessage("lb3", held());
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
  }

  @Test
  void aHolderDroppedAsACrashedProcessIsTakenOverAtOnce() {
    lb2HoldsImaging(); // it has not handed imaging back yet
    advance(100, "lb3");
    view("lb1", "lb3"); // dropped 100 ms after its last word: its process died
    settle();
    advance(100, "lb3");
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
  }

  @Test
  void aSuspectedHolderWhoseProcessIsGoneIsTakenOverBeforeTheViewDropsIt() {
    lb2HoldsImaging();
    advance(100, "lb3");
    lb1.onSuspect("lb2"); // its socket closed; no new view yet
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
    assertThat(lb1.status().members().stream().filter(m -> m.inView()).map(m -> m.name()))
        .containsExactly("lb1", "lb3");
  }

  @Test
  void aSuspectedHolderWhoseProcessRunsKeepsItsGroupUntilTheViewSaysMore() {
    processRuns = true;
    lb2HoldsImaging();
    advance(100, "lb3");
    lb1.onSuspect("lb2"); // suspected while it runs: a false suspicion, or a frozen process
    advance(100, "lb3");
    settle();
    assertThat(lb1.holding()).isEmpty();
    assertThat(events).isEmpty();
  }

  @Test
  void aHolderDroppedAfterASilenceKeepsItsGroupUntilItsLeaseSurelyLapsed() {
    lb2HoldsImaging();
    // lb2 falls silent (frozen, or cut off); the failure detector drops it after 2 s.
    advance(2000, "lb3");
    view("lb1", "lb3");
    settle();
    advance(400, "lb3");
    assertThat(lb1.holding()).as("2.4 s after lb2's last word").isEmpty();
    advance(200, "lb3");
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
    assertThat(events).containsExactly("take imaging");
  }

  @Test
  void aHolderDroppedWhileHeardWhoseProcessRunsIsWaitedForAsASilentOne() {
    // lb2 is cut off from the view's coordinator but not from lb1: the view drops it while lb1
    // still hears it, and its host still accepts connections to its process.
    processRuns = true;
    lb2HoldsImaging();
    advance(100, "lb3");
    view("lb1", "lb3");
    settle();
    advance(2300, "lb3");
    assertThat(lb1.holding()).as("2.4 s after lb2's last word").isEmpty();
    advance(200, "lb3");
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
  }

  @Test
  void theLeaseIsRenewedOnlyWhileAMajorityIsHeard() throws Exception {
    lb1HoldsImaging();
    assertThat(lb1.lease().leaseWanted(Long.MAX_VALUE)).isTrue();
    assertThat(lb1.lease().renewLease(Long.MAX_VALUE)).isTrue();
    assertThat(events).contains("renew [" + IMAGING + "]");
    // Nobody heard for 1 s: this node may be the one cut off.
    advance(1000);
    assertThat(lb1.lease().leaseWanted(Long.MAX_VALUE)).isFalse();
    assertThat(lb1.lease().renewLease(Long.MAX_VALUE)).isFalse();
    assertThat(lb1.holding()).as("still in a quorum view: keeps the group, silent").isNotEmpty();
    advance(200, "lb3");
    assertThat(lb1.lease().leaseWanted(Long.MAX_VALUE)).as("heard lb3 again").isTrue();
  }

  @Test
  void aFrozenNodeShutsItsFenceAndGivesItsGroupsUpBeforeAnythingElse() {
    lb1HoldsImaging();
    events.clear();
    clock.addAndGet(1500 * MS); // SIGSTOP for 1.5 s
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().isEmpty());
    assertThat(events).startsWith("shut", "release imaging");
    assertThat(lb1.lease().leaseWanted(Long.MAX_VALUE)).isFalse();
    // Words sent before the freeze was noticed, still in the buffers, may predate a takeover
    // lb1 never heard of: they do not count.
    lb1.onMessage("lb2", held());
    lb1.onMessage("lb3", held());
    advance(400);
    assertThat(lb1.holding()).isEmpty();
    // Takes again once every member answered its new epoch.
    lb1.onMessage("lb2", echoing(1));
    advance(200);
    assertThat(lb1.holding()).isEmpty();
    lb1.onMessage("lb3", echoing(1));
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
  }

  @Test
  void aHolderOutOfTheViewThatStillSpeaksDirectlyKeepsItsGroupUntilItFallsSilent() {
    // lb2 is out of the view (the views have not merged yet) but its words reach lb1 directly.
    processRuns = true;
    lb2HoldsImaging();
    view("lb1", "lb3");
    settle();
    for (int i = 0; i < 20; i++) {
      advance(200, "lb3");
      lb1.onMessage("lb2", held("imaging"));
    }
    assertThat(lb1.holding()).as("4 s out of the view, heard all along").isEmpty();
    // It falls silent: its lease lapses as any silent member's.
    advance(2400, "lb3");
    assertThat(lb1.holding()).isEmpty();
    advance(200, "lb3");
    await().atMost(Duration.ofSeconds(2)).until(() -> lb1.holding().equals(Set.of("imaging")));
  }
}
