package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.ManualClock;

class LoginThrottleTest {
  private final ManualClock clock = new ManualClock();
  private final LoginThrottle throttle = new LoginThrottle(clock);

  @Test
  void fiveFailuresAreFreeThenEachDoublesTheLockOutUpToFifteenMinutes() {
    assertThat(LoginThrottle.lockFor(5)).isZero();
    assertThat(LoginThrottle.lockFor(6)).hasSeconds(30);
    assertThat(LoginThrottle.lockFor(7)).hasSeconds(60);
    assertThat(LoginThrottle.lockFor(8)).hasSeconds(120);
    assertThat(LoginThrottle.lockFor(12)).hasMinutes(15);
    assertThat(LoginThrottle.lockFor(100)).hasMinutes(15);
  }

  @Test
  void aLockedOutSourceWaitsAndThenMayTryAgain() {
    for (int i = 0; i < 5; i++) {
      assertThat(throttle.failed("10.0.0.9", "admin")).isEmpty();
    }
    assertThat(throttle.lockedOut("10.0.0.9", "admin")).isEmpty();
    assertThat(throttle.failed("10.0.0.9", "admin")).contains(Duration.ofSeconds(30));
    assertThat(throttle.lockedOut("10.0.0.9", "nurse")).contains(Duration.ofSeconds(30));
    assertThat(throttle.lockedOut("10.0.0.8", "admin")).contains(Duration.ofSeconds(30));
    assertThat(throttle.lockedOut("10.0.0.8", "nurse")).isEmpty();

    clock.advance(Duration.ofSeconds(31));
    assertThat(throttle.lockedOut("10.0.0.9", "admin")).isEmpty();
    assertThat(throttle.failed("10.0.0.9", "admin")).contains(Duration.ofSeconds(60));
  }

  @Test
  void failuresAreForgottenAfterAQuietQuarterOfAnHour() {
    for (int i = 0; i < 6; i++) {
      throttle.failed("10.0.0.9", "admin");
    }
    clock.advance(Duration.ofMinutes(16));
    assertThat(throttle.lockedOut("10.0.0.9", "admin")).isEmpty();
    assertThat(throttle.failed("10.0.0.9", "admin")).isEmpty();
  }

  @Test
  void aSuccessClearsTheUserButNotTheSource() {
    for (int i = 0; i < 6; i++) {
      throttle.failed("10.0.0.9", "admin");
    }
    throttle.succeeded("admin");
    assertThat(throttle.lockedOut("10.0.0.8", "admin")).isEmpty();
    assertThat(throttle.lockedOut("10.0.0.9", "other")).isPresent();
    assertThat(throttle.lockedOut("10.0.0.9", null)).isNotEqualTo(Optional.empty());
  }
}
