package org.lbctl.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Many clients on the lab's client host (10.99.2.1 ... 10.99.2.N, routed through it by both nodes),
 * for counting sticky clients that move in a drill.
 */
final class Workstations {
  private final PairLab lab;
  private final int count;

  private Workstations(PairLab lab, int count) {
    this.lab = lab;
    this.count = count;
  }

  static Workstations add(PairLab lab, int count) throws Exception {
    for (int i = 1; i <= count; i++) {
      lab.lab().exec("client", "ip", "addr", "add", "10.99.2." + i + "/24", "dev", "eth0");
    }
    for (String lb : List.of("lb1", "lb2")) {
      lab.lab().exec(lb, "ip", "route", "add", "10.99.2.0/24", "via", "10.99.0.10");
    }
    return new Workstations(lab, count);
  }

  /** The answer each workstation gets from {@code url} (curl -k), "" when it got none. */
  List<String> answers(String url) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      var r =
          lab.lab()
              .exec("client", "curl", "-sk", "--max-time", "2", "--interface", "10.99.2." + i, url);
      out.add(r.ok() ? r.output().strip() : "");
    }
    return out;
  }

  static long moved(List<String> before, List<String> after) {
    long moved = 0;
    for (int i = 0; i < before.size(); i++) {
      if (!before.get(i).equals(after.get(i))) {
        moved++;
      }
    }
    return moved;
  }
}
