package org.lbctl.core.health;

import java.util.concurrent.CompletableFuture;

/**
 * The outcome of one check that talks to its server, worded for the log: {@code "<where>: <what>"},
 * with the time it took when healthy. The first word given counts; later ones are ignored.
 */
public final class Verdict {
  private final CompletableFuture<CheckResult> result = new CompletableFuture<>();
  private final String where;
  private final long start = System.nanoTime();

  /**
   * @param where what is checked, e.g. "C-ECHO to LB-SCP at 10.0.0.1:104"
   */
  public Verdict(String where) {
    this.where = where;
  }

  public String where() {
    return where;
  }

  public CompletableFuture<CheckResult> result() {
    return result;
  }

  /** Healthy: "{@code <where>: <what> in N ms}". */
  public void up(String what) {
    long ms = (System.nanoTime() - start) / 1_000_000;
    result.complete(CheckResult.up(where + ": " + what + " in " + ms + " ms"));
  }

  /** Unhealthy, and why. */
  public void down(String why) {
    result.complete(CheckResult.down(where + ": " + why));
  }
}
