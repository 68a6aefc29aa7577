package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;

/** The controller's small parts, each on a clock of the test's own. */
class PairPartsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private static StateAnnouncement said(long incarnation, long seq, long echo, long echoOf) {
    return new StateAnnouncement(
        PairRole.SECONDARY,
        PairState.PASSIVE,
        false,
        new ConfigVersion(1, "h"),
        List.of(),
        1,
        incarnation,
        seq,
        echo,
        echoOf,
        1000,
        false,
        false);
  }

  @Test
  void aLateAnnouncementIsDroppedAndANewIncarnationStartsAfresh() {
    PeerWord peer = new PeerWord(now.get());
    assertThat(peer.take(said(7, 5, 0, 0), now.get())).isTrue();
    assertThat(peer.take(said(7, 4, 0, 0), now.get())).as("older seq").isFalse();
    assertThat(peer.take(said(7, 5, 0, 0), now.get())).as("same seq").isFalse();
    assertThat(peer.seq()).isEqualTo(5);
    // The peer restarted: its numbers start again.
    assertThat(peer.take(said(8, 1, 0, 0), now.addAndGet(250_000_000L))).isTrue();
    assertThat(peer.incarnation()).isEqualTo(8);
    assertThat(peer.ageMillis(now.addAndGet(100_000_000L))).isEqualTo(100);
  }

  @Test
  void aStallIsReportedOnceWhenTheNextStepRuns() {
    List<Long> gaps = new ArrayList<>();
    StallWatch stall = new StallWatch(now::get, (at, gap) -> gaps.add(gap / 1_000_000));
    now.addAndGet(5_000_000_000L);
    stall.check();
    assertThat(gaps).as("not watching before start").isEmpty();
    stall.start();
    now.addAndGet(900_000_000L);
    stall.progress();
    assertThat(gaps).isEmpty();
    now.addAndGet(1_500_000_000L);
    stall.check();
    stall.check();
    assertThat(gaps).containsExactly(1500L);
    assertThat(stall.alive(100_000_000L)).isTrue();
    now.addAndGet(200_000_000L);
    assertThat(stall.alive(100_000_000L)).isFalse();
  }

  @Test
  void theHeartbeatsKnowWhichOfThemThePeersWordAnswers() {
    Heartbeats mine = new Heartbeats(now::get);
    List<byte[]> sent = new ArrayList<>();
    mine.sendTo(sent::add);
    PeerWord peer = new PeerWord(now.get());
    Heartbeats.Self self =
        new Heartbeats.Self(
            PairRole.PRIMARY,
            PairState.ACTIVE,
            false,
            new ConfigVersion(1, "h"),
            List.of("10.99.0.100/32"),
            3,
            1000,
            true);
    mine.send(self, peer, false); // seq 1, at 1.0 s
    now.addAndGet(2_000_000_000L);
    mine.send(self, peer, false); // seq 2, at 3.0 s
    assertThat(sent).hasSize(2);
    assertThat(mine.next()).isEqualTo(3);
    long id = mine.incarnation();
    assertThat(mine.answeredSince(said(9, 1, 2, id), now.get() - 1_000_000_000L)).isTrue();
    assertThat(mine.answeredSince(said(9, 1, 1, id), now.get() - 1_000_000_000L))
        .as("answers a heartbeat sent 2 s ago")
        .isFalse();
    assertThat(mine.answeredSince(said(9, 1, 2, id + 1), 0)).as("another process").isFalse();
    assertThat(mine.answeredFrom(said(9, 1, 2, id), 2)).isTrue();
    assertThat(mine.answeredFrom(said(9, 1, 1, id), 2)).isFalse();
  }

  @Test
  void aSuspensionBeginsOnceAndRemembersTheQuestion() {
    Suspension s = new Suspension();
    assertThat(s.begin(4, "stalled for 1500 ms")).isTrue();
    assertThat(s.begin(9, "again")).isFalse();
    assertThat(s.from()).isEqualTo(4);
    assertThat(s.reason()).isEqualTo("stalled for 1500 ms");
    s.end();
    assertThat(s.on()).isFalse();
  }
}
