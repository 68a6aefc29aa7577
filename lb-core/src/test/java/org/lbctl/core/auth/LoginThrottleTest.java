package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
      assertThat(throttle.failed("10.0.0.9")).isEmpty();
    }
    assertThat(throttle.lockedOut("10.0.0.9")).isEmpty();
    assertThat(throttle.failed("10.0.0.9")).contains(Duration.ofSeconds(30));
    assertThat(throttle.lockedOut("10.0.0.9")).contains(Duration.ofSeconds(30));
    // Another source is not locked, whatever name it tries: no name is ever locked.
    assertThat(throttle.lockedOut("10.0.0.8")).isEmpty();

    clock.advance(Duration.ofSeconds(31));
    assertThat(throttle.lockedOut("10.0.0.9")).isEmpty();
    assertThat(throttle.failed("10.0.0.9")).contains(Duration.ofSeconds(60));
  }

  @Test
  void failuresAreForgottenAfterAQuietQuarterOfAnHour() {
    for (int i = 0; i < 6; i++) {
      throttle.failed("10.0.0.9");
    }
    clock.advance(Duration.ofMinutes(16));
    assertThat(throttle.lockedOut("10.0.0.9")).isEmpty();
    assertThat(throttle.failed("10.0.0.9")).isEmpty();
  }

  @Test
  void anIpv6SourceCountsByItsSlash64() {
    for (int i = 0; i < 6; i++) {
      throttle.failed("fd99:1:2:3::" + Integer.toHexString(i + 1));
    }
    assertThat(throttle.lockedOut("fd99:1:2:3:ffff::9")).isPresent();
    assertThat(throttle.lockedOut("fd99:1:2:4::1")).isEmpty();
    assertThat(LoginThrottle.key("10.0.0.9")).isEqualTo("10.0.0.9");
  }
}
