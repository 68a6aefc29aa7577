package org.lbctl.cluster.pair;

/**
 * An active node that stopped answering for its addresses because it distrusts itself (it stalled,
 * or lost both the peer and its ping targets). It asked the peer with heartbeat {@link #from()}:
 * only the peer's word written after hearing that question ends it.
 */
final class Suspension {
  private boolean on;
  private long from;
  private String reason = "";

  boolean on() {
    return on;
  }

  long from() {
    return from;
  }

  String reason() {
    return reason;
  }

  /** Starts one, asking with heartbeat {@code from}; false when one is on already. */
  boolean begin(long from, String reason) {
    if (on) {
      return false;
    }
    on = true;
    this.from = from;
    this.reason = reason;
    return true;
  }

  void end() {
    on = false;
  }
}
