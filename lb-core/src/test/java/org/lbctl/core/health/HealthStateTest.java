package org.lbctl.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthStateTest {
  @Test
  void theFirstResultDecidesAtOnce() {
    assertThat(new HealthState(2, 3).record(false)).contains(false);
    assertThat(new HealthState(2, 3).record(true)).contains(true);
  }

  @Test
  void fallFailuresInARowTakeAServerDownAndRiseSuccessesBringItBack() {
    HealthState s = new HealthState(2, 3, true);
    assertThat(s.record(false)).isEmpty();
    assertThat(s.record(false)).isEmpty();
    assertThat(s.streak()).isEqualTo(2);
    assertThat(s.record(false)).contains(false);
    assertThat(s.up()).contains(false);
    assertThat(s.record(true)).isEmpty();
    assertThat(s.record(true)).contains(true);
  }

  @Test
  void aSuccessBetweenFailuresStartsTheCountAgain() {
    HealthState s = new HealthState(2, 3, true);
    s.record(false);
    s.record(false);
    assertThat(s.record(true)).isEmpty();
    assertThat(s.streak()).isZero();
    s.record(false);
    s.record(false);
    assertThat(s.up()).contains(true);
    assertThat(s.record(false)).isEqualTo(Optional.of(false));
  }

  @Test
  void iconnectsTenFailuresBeforeFallback() {
    HealthState s = new HealthState(1, 10, true);
    for (int i = 1; i < 10; i++) {
      assertThat(s.record(false)).as("failure %d", i).isEmpty();
    }
    assertThat(s.record(false)).contains(false);
    assertThat(s.record(true)).contains(true);
  }
}
