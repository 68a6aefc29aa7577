package org.lbctl.core.health;

import java.util.Optional;

/**
 * Up or down from consecutive results: {@code rise} successes in a row bring a down server up,
 * {@code fall} failures in a row take an up server down. The first result after a start decides at
 * once, so a node does not send clients to a dead server for {@code fall} intervals after it
 * starts, nor keep a live one out for {@code rise} intervals.
 */
public final class HealthState {
  private final int rise;
  private final int fall;
  private Boolean up; // null until the first result
  private int streak; // consecutive results that disagree with the current state

  public HealthState(int rise, int fall) {
    this.rise = rise;
    this.fall = fall;
  }

  /** Starts from a known state (a server whose check changed keeps its health meanwhile). */
  public HealthState(int rise, int fall, boolean up) {
    this(rise, fall);
    this.up = up;
  }

  /** Records a result; the new state when it changed. */
  public Optional<Boolean> record(boolean ok) {
    if (up == null) {
      up = ok;
      return Optional.of(ok);
    }
    if (ok == up) {
      streak = 0;
      return Optional.empty();
    }
    streak++;
    if (streak >= (ok ? rise : fall)) {
      up = ok;
      streak = 0;
      return Optional.of(ok);
    }
    return Optional.empty();
  }

  /** Results in a row that disagree with the current state. */
  public int streak() {
    return streak;
  }

  public Optional<Boolean> up() {
    return Optional.ofNullable(up);
  }
}
