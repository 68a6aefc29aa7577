package org.lbctl.core.config;

import java.util.ArrayList;
import java.util.List;

/** Collects configuration problems so that a file is judged as a whole. */
final class Problems {
  private final List<ConfigProblem> list = new ArrayList<>();
  private DocumentScan scan = DocumentScan.empty();

  /** Where the paths of the document being read start: problems name their line. */
  void lines(DocumentScan scan) {
    this.scan = scan;
  }

  void add(String path, String message) {
    list.add(new ConfigProblem(path, message));
  }

  void add(String path, String message, int line) {
    list.add(new ConfigProblem(path, message, line));
  }

  int size() {
    return list.size();
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  List<ConfigProblem> list() {
    return List.copyOf(scan.located(list));
  }

  void throwIfAny() throws ConfigException {
    if (!list.isEmpty()) {
      throw new ConfigException(list());
    }
  }
}
