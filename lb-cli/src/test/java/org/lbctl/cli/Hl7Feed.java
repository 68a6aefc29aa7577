package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lbctl.core.testing.NamespaceLab;

/**
 * An HL7 feed from the lab's client for a failover drill: 300 ADT messages 20 ms apart through
 * {@code vip:port}, each resent until acknowledged (see {@link Hl7Peer}).
 */
final class Hl7Feed {
  static final int MESSAGES = 300;

  private final Process process;
  private final Path log;

  private Hl7Feed(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static Hl7Feed start(NamespaceLab lab, Path dir, String vip, int port) throws Exception {
    Path log = dir.resolve("feed-" + port + ".log");
    Process p =
        Hl7Peer.start(
            lab,
            "client",
            log,
            "send",
            vip,
            Integer.toString(port),
            Integer.toString(MESSAGES),
            "20");
    return new Hl7Feed(p, log);
  }

  /** Waits until the feed is well under way (50 messages acknowledged). */
  Hl7Feed underWay() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> Files.readString(log).contains("ack MSG50 "));
    return this;
  }

  /** Waits for the end: {acknowledged, resent}. */
  int[] result() throws Exception {
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    Matcher done = Pattern.compile("done (\\d+)/" + MESSAGES + " resent (\\d+)").matcher(out);
    assertThat(done.find()).as(out).isTrue();
    return new int[] {Integer.parseInt(done.group(1)), Integer.parseInt(done.group(2))};
  }

  /** lb1 loses power; the milliseconds until lb2 says it is active. */
  static long cutLb1(PairLab lab) throws Exception {
    long cut = System.nanoTime();
    lab.powerOff("lb1");
    await().atMost(Duration.ofSeconds(10)).until(() -> lab.pairState("lb2").equals("active"));
    return (System.nanoTime() - cut) / 1_000_000;
  }
}
