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
  // Longer than the 200 ms between two words of a live peer.
  static final int PAIR_PROBE_MILLIS = 300;

  private MemberProbes() {}

  /**
   * Asks the host of a member of {@code roster} (read at each question) about its process.
   *
   * <p>One of a pair also counts a host that does not answer within {@link #PAIR_PROBE_MILLIS}: the
   * peer was dropped from the view within a second of its last word, which only its closed socket
   * does (a cut link drops it after seconds of silence), and it said nothing since, though a live
   * peer out of the view speaks to this node every 200 ms. That is a process that died with its
   * host or its link (kill -9 and a power cut); waiting out its lease would add two seconds.
   */
  static CrashProbe processes(Supplier<Roster> roster) {
    return member -> {
      Roster r = roster.get();
      boolean pair = r.names().size() == 2;
      return r.address(member)
          .map(
              a -> {
                ProcessProbe.Answer answer =
                    ProcessProbe.ask(
                        new InetSocketAddress(a.getAddress(), StickStack.DEFAULT_PORT),
                        pair ? PAIR_PROBE_MILLIS : PROBE_MILLIS);
                return answer == ProcessProbe.Answer.GONE
                    || pair && answer == ProcessProbe.Answer.UNKNOWN;
              })
          .orElse(false);
    };
  }

  /**
   * For two members (a pair): the ping targets, which let one of them act without the other. With
   * three or more a majority decides and the targets go unused.
   *
   * @param members how many members the cluster has now
   */
  static NetworkWitness network(List<String> pingTargets, int members) {
    if (pingTargets.isEmpty()) {
      // Only a pair set up without targets gets here with two (a node file's cluster of two needs
      // them): it acts without its peer, as warned in its status.
      return members == 2 ? NetworkWitness.ALWAYS : NetworkWitness.NONE;
    }
    PingTargets targets = new PingTargets(pingTargets, List.of());
    return new PingWitness(targets::anyReachable, System::nanoTime);
  }
}
