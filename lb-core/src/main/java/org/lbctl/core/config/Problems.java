package org.lbctl.core.config;

import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems so that a file is judged as a whole. */
final class Problems {
  private final List<ConfigProblem> list = new ArrayList<>();

  void add(String path, String message) {
    list.add(new ConfigProblem(path, message));
  }

  int size() {
    return list.size();
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  List<ConfigProblem> list() {
    return List.copyOf(list);
  }

  void throwIfAny() throws ConfigException {
    if (!list.isEmpty()) {
      throw new ConfigException(list);
    }
  }
}
