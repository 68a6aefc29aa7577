package org.lbctl.cluster.groups;

import java.nio.charset.StandardCharsets;

/** Members' words for the controller's tests, written by hand, not by the encoder under test. */
final class HeldWords {
  private HeldWords() {}

  /** A word holding {@code groups}, with a 1 s lease and no echo. */
  static byte[] held(String... groups) {
    StringBuilder list = new StringBuilder();
    for (String g : groups) {
      list.append(list.length() == 0 ? "" : ",").append('"').append(g).append('"');
    }
    return ("{\"type\":\"held\",\"groups\":[" + list + "],\"leaseMs\":1000}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A word holding nothing that echoes lb1's epoch {@code epoch}. */
  static byte[] echoing(long epoch) {
    return ("{\"type\":\"held\",\"groups\":[],\"leaseMs\":1000,\"echo\":{\"lb1\":" + epoch + "}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
