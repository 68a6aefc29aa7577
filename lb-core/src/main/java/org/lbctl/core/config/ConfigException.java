package org.lbctl.core.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration was refused; carries every problem found, not just the first. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(
        problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + " in configuration:\n"
            + problems.stream().map(p -> "  " + p.located()).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public static ConfigException of(String path, String message) {
    return new ConfigException(List.of(new ConfigProblem(path, message)));
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}
