package org.lbctl.cluster.groups;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The word one node of a pair sends the other when an operator breaks the pair there. */
final class PairBreak {
  private static final Logger log = LoggerFactory.getLogger(PairBreak.class);
  private static final byte[] WORD = "{\"type\":\"break\"}".getBytes(StandardCharsets.UTF_8);

  private PairBreak() {}

  static boolean isMine(byte[] bytes) {
    return Arrays.equals(bytes, WORD);
  }

  static void send(Consumer<byte[]> broadcast) {
    broadcast.accept(WORD.clone());
  }

  /** On a JGroups thread: the pair's own thread leaves the pair, not this one. */
  static void heard(String from, Runnable onBreak) {
    log.warn("pair: {} broke the pair", from);
    Thread t = new Thread(onBreak, "lb-pair-break");
    t.setDaemon(true);
    t.start();
  }
}
