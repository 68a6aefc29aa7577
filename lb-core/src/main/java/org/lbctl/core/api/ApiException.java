package org.lbctl.core.api;

import java.util.List;
import org.lbctl.core.config.ConfigProblem;

/** A refused API call: the HTTP status to answer with and a reason a person can act on. */
public final class ApiException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final transient List<ConfigProblem> problems;

  public ApiException(int status, String message) {
    this(status, message, List.of());
  }

  public ApiException(int status, String message, List<ConfigProblem> problems) {
    super(message);
    this.status = status;
    this.problems = List.copyOf(problems);
  }

  public int status() {
    return status;
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
