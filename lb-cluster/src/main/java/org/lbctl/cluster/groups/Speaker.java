package org.lbctl.cluster.groups;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this node's word reaches the members: to the view (reliable, in order), and straight to each
 * other configured member (unreliable, out of band). The direct copy reaches a member the view
 * lacks, so it knows this node lives, and one whose reliable stream is held up behind a gap after a
 * blip (in-order delivery waits for the lost messages' retransmission), so this node does not look
 * silent for longer than it was. The stamp lets the receiver drop the slower copy.
 */
final class Speaker {
  private static final Logger log = LoggerFactory.getLogger(Speaker.class);

  private final Consumer<byte[]> broadcast;
  private final BiConsumer<String, byte[]> direct;

  Speaker(Consumer<byte[]> broadcast, BiConsumer<String, byte[]> direct) {
    this.broadcast = broadcast;
    this.direct = direct;
  }

  static final Speaker SILENT = new Speaker(bytes -> {}, (member, bytes) -> {});

  void say(byte[] word, String self, List<String> configured) {
    try {
      broadcast.accept(word);
    } catch (Exception e) {
      log.debug("groups: cannot tell the members: {}", e.getMessage());
    }
    for (String m : configured) {
      if (!m.equals(self)) {
        direct.accept(m, word);
      }
    }
  }
}
