package org.lbctl.core.health;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lbctl.core.os.Commands;

/**
 * {@code ping}: one ICMP echo to the real server (iputils {@code ping}, which holds CAP_NET_RAW
 * itself), healthy on a reply within the timeout. Insignia's HL7 VIP is checked this way.
 */
public final class PingCheck implements Check {
  private static final Pattern TIME = Pattern.compile("time=([0-9.]+) ms");
  private final List<String> execPrefix;

  /**
   * @param execPrefix run ping under this prefix (e.g. {@code ip netns exec NS} in a lab); empty on
   *     a real node
   */
  public PingCheck(List<String> execPrefix) {
    this.execPrefix = List.copyOf(execPrefix);
  }

  @Override
  public CompletableFuture<CheckResult> run(CheckTarget target) {
    String address = target.address().getHostAddress();
    Duration timeout = target.timeout();
    List<String> argv = new ArrayList<>(execPrefix);
    argv.addAll(
        List.of(
            "ping",
            "-n",
            "-q",
            "-c",
            "1",
            "-W",
            String.format(Locale.ROOT, "%.3f", timeout.toMillis() / 1000.0),
            address));
    return Commands.async(
        () -> {
          try {
            Commands.Result r = Commands.run(timeout.plusSeconds(1), argv);
            if (r.ok()) {
              return CheckResult.up("ping " + address + ": " + replyTime(r.output()));
            }
            return CheckResult.down(
                "ping " + address + ": no reply within " + timeout.toMillis() + " ms");
          } catch (IOException e) {
            return CheckResult.down("ping " + address + ": " + e.getMessage());
          }
        });
  }

  /** "reply in 0.045 ms" from ping's summary ("rtt min/avg/max/mdev = 0.045/..."), or "reply". */
  private static String replyTime(String output) {
    Matcher m = TIME.matcher(output);
    if (m.find()) {
      return "reply in " + m.group(1) + " ms";
    }
    Matcher rtt = Pattern.compile("= ([0-9.]+)/").matcher(output);
    return rtt.find() ? "reply in " + rtt.group(1) + " ms" : "reply";
  }
}
