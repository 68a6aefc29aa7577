package org.lbctl.cluster.pair;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.lbctl.core.os.Commands;

/**
 * Asks whether this node can still see the network: any of its ping targets (such as the gateway)
 * answering one ICMP echo within a second. A node cut off from everything must not take the
 * addresses over.
 */
public final class PingTargets {
  private final List<String> targets;
  private final List<String> execPrefix;

  public PingTargets(List<String> targets, List<String> execPrefix) {
    this.targets = List.copyOf(targets);
    this.execPrefix = List.copyOf(execPrefix);
  }

  /** True when one target answers, or when none is configured. */
  public boolean anyReachable() {
    if (targets.isEmpty()) {
      return true;
    }
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (String t : targets) {
      answers.add(Commands.async(() -> ping(t)));
    }
    return answers.stream().anyMatch(CompletableFuture::join);
  }

  private boolean ping(String target) {
    List<String> cmd = new ArrayList<>(execPrefix);
    // Half a second: on a LAN a gateway answers in well under a millisecond.
    cmd.addAll(List.of("ping", "-n", "-c", "1", "-W", "0.5", target));
    try {
      return Commands.run(Duration.ofSeconds(3), cmd).ok();
    } catch (IOException e) {
      return false;
    }
  }

  public List<String> targets() {
    return targets;
  }
}
