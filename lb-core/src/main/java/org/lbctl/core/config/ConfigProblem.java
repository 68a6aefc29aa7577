package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a configuration: where ({@code virtualServices[2].ports[0]}) and why.
 *
 * @param line the document's line the path starts on; 0 when not known (a check of a file on this
 *     host, a document built in memory)
 */
public record ConfigProblem(String path, String message, int line) {
  public ConfigProblem {
    requireNonNull(path, "path");
    requireNonNull(message, "message");
  }

  public ConfigProblem(String path, String message) {
    this(path, message, 0);
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }

  /** As {@link #toString()}, with the line when it is known: what an engineer reads. */
  public String located() {
    return line > 0 ? this + " (line " + line + ")" : toString();
  }
}
