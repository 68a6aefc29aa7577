package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.ManualClock;

class SessionsTest {
  private final ManualClock clock = new ManualClock();
  private final Sessions sessions = new Sessions(clock);

  @Test
  void aSessionLivesWhileUsedAndEndsAfterThirtyIdleMinutes() {
    String id = sessions.start("admin");
    assertThat(id).hasSize(43).isNotEqualTo(sessions.start("admin"));
    clock.advance(Duration.ofMinutes(29));
    assertThat(sessions.user(id)).contains("admin");
    clock.advance(Duration.ofMinutes(29));
    assertThat(sessions.user(id)).contains("admin");
    clock.advance(Duration.ofMinutes(31));
    assertThat(sessions.user(id)).isEmpty();
  }

  @Test
  void aSessionEndsTwelveHoursAfterItsLoginHoweverBusy() {
    String id = sessions.start("admin");
    for (int i = 0; i < 12 * 4; i++) {
      clock.advance(Duration.ofMinutes(15));
      sessions.user(id);
    }
    clock.advance(Duration.ofMinutes(1));
    assertThat(sessions.user(id)).isEmpty();
  }

  @Test
  void loggingOutEndsItAndUnknownIdsAreNobody() {
    String id = sessions.start("admin");
    sessions.end(id);
    assertThat(sessions.user(id)).isEmpty();
    assertThat(sessions.user("forged")).isEmpty();
    assertThat(sessions.user(null)).isEmpty();
  }
}
