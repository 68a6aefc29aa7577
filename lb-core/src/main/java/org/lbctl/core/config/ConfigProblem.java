package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/** One thing wrong with a configuration: where ({@code virtualServices[2].ports[0]}) and why. */
public record ConfigProblem(String path, String message) {
  public ConfigProblem {
    requireNonNull(path, "path");
    requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
