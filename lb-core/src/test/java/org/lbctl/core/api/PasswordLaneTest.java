package org.lbctl.core.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PasswordLaneTest {
  @Test
  void aKnownAddressGoesAheadOfStrangersAndAFullLaneRefusesAtOnce() throws Exception {
    try (PasswordLane lane = new PasswordLane()) {
      CountDownLatch busy = new CountDownLatch(1);
      CountDownLatch running = new CountDownLatch(1);
      lane.execute(
          PasswordLane.STRANGER,
          () -> {
            running.countDown();
            try {
              busy.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
      List<String> ran = new CopyOnWriteArrayList<>();
      for (int i = 0; i < PasswordLane.CAPACITY - 1; i++) {
        String name = "guess " + i;
        lane.execute(PasswordLane.STRANGER, () -> ran.add(name));
      }
      lane.execute(PasswordLane.KNOWN, () -> ran.add("admin"));
      assertThatThrownBy(() -> lane.execute(PasswordLane.KNOWN, () -> ran.add("late")))
          .isInstanceOf(RejectedExecutionException.class);

      busy.countDown();
      await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == PasswordLane.CAPACITY);
      assertThat(ran.get(0)).isEqualTo("admin");
      assertThat(ran.subList(1, 4)).containsExactly("guess 0", "guess 1", "guess 2");
      assertThat(ran).doesNotContain("late");
    }
  }
}
