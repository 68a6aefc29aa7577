package org.lbctl.cluster.groups;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;
import org.lbctl.cluster.members.ProcessProbe;
import org.lbctl.cluster.pair.PingTargets;
import org.lbctl.persistence.StickStack;

/**
 * What the group controller asks beyond the members' words: whether a departed member's process is
 * gone (its host refuses a connection to its stick table's port), and, for two members, whether the
 * network answers (the ping targets).
 */
final class MemberProbes {
  private static final int PROBE_MILLIS = 200;

  private MemberProbes() {}

  /** Asks the host of a member of {@code roster} (read at each question) about its process. */
  static CrashProbe processes(Supplier<Roster> roster) {
    return member ->
        roster
            .get()
            .address(member)
            .map(
                a ->
                    ProcessProbe.ask(
                            new InetSocketAddress(a.getAddress(), StickStack.DEFAULT_PORT),
                            PROBE_MILLIS)
                        == ProcessProbe.Answer.GONE)
            .orElse(false);
  }

  /**
   * For two members (a pair): the ping targets, which let one of them act without the other. With
   * three or more a majority decides and the targets go unused.
   */
  static NetworkWitness network(List<String> pingTargets) {
    if (pingTargets.isEmpty()) {
      return NetworkWitness.NONE;
    }
    PingTargets targets = new PingTargets(pingTargets, List.of());
    return new PingWitness(targets::anyReachable, System::nanoTime);
  }
}
