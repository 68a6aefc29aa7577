package org.lbctl.core.health;

import static java.util.Objects.requireNonNull;

/**
 * What one check of a real server found.
 *
 * @param detail what was checked and what came back, for the log: "connected to 10.0.0.1:104 in 2
 *     ms", "connect to 10.0.0.1:104: connection refused"
 */
public record CheckResult(boolean up, String detail) {
  public CheckResult {
    requireNonNull(detail, "detail");
  }

  public static CheckResult up(String detail) {
    return new CheckResult(true, detail);
  }

  public static CheckResult down(String detail) {
    return new CheckResult(false, detail);
  }
}
