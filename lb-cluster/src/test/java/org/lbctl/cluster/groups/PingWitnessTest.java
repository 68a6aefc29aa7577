package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PingWitnessTest {
  private final AtomicLong now = new AtomicLong(10_000_000_000L);
  private final AtomicBoolean reachable = new AtomicBoolean(true);
  private final AtomicInteger answers = new AtomicInteger();
  private final PingWitness witness = new PingWitness(reachable::get, now::get);

  private void ask() {
    int before = answers.get();
    witness.ask(answers::incrementAndGet);
    await().atMost(Duration.ofSeconds(2)).until(() -> answers.get() > before);
  }

  @Test
  void anAnswerCountsForASecondFromTheQuestion() {
    ask();
    assertThat(witness.reachableUntil()).isEqualTo(now.get() + 1_000_000_000L);
  }

  @Test
  void afterAnUnansweredQuestionAnswersCountOnlyOnceTwoSecondsPassedWithoutAnother() {
    reachable.set(false);
    ask();
    assertThat(witness.reachableUntil()).isEqualTo(Long.MIN_VALUE);
    // The link is back: a peer that took over meanwhile must be heard first.
    reachable.set(true);
    now.addAndGet(1_500_000_000L);
    ask();
    assertThat(witness.reachableUntil()).isEqualTo(Long.MIN_VALUE);
    now.addAndGet(600_000_000L);
    ask();
    assertThat(witness.reachableUntil()).isEqualTo(now.get() + 1_000_000_000L);
  }
}
