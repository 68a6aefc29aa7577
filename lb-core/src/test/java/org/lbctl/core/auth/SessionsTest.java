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
    String id = sessions.start("admin", "h");
    assertThat(id).hasSize(43).isNotEqualTo(sessions.start("admin", "h"));
    clock.advance(Duration.ofMinutes(29));
    assertThat(sessions.login(id)).contains(new Sessions.Login("admin", "h"));
    clock.advance(Duration.ofMinutes(29));
    assertThat(sessions.login(id)).contains(new Sessions.Login("admin", "h"));
    clock.advance(Duration.ofMinutes(31));
    assertThat(sessions.login(id)).isEmpty();
  }

  @Test
  void aSessionEndsTwelveHoursAfterItsLoginHoweverBusy() {
    String id = sessions.start("admin", "h");
    for (int i = 0; i < 12 * 4; i++) {
      clock.advance(Duration.ofMinutes(15));
      sessions.login(id);
    }
    clock.advance(Duration.ofMinutes(1));
    assertThat(sessions.login(id)).isEmpty();
  }

  @Test
  void loggingOutEndsItAndUnknownIdsAreNobody() {
    String id = sessions.start("admin", "h");
    sessions.end(id);
    assertThat(sessions.login(id)).isEmpty();
    assertThat(sessions.login("forged")).isEmpty();
    assertThat(sessions.login(null)).isEmpty();
  }
}
