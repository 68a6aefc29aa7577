package org.lbctl.persistence;

import java.net.InetAddress;
import java.util.List;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

/**
 * The JGroups protocols above transport, {@link PairCipher} and discovery that both of a pair's
 * channels share (the pair channel on UDP 6694, the stick table on TCP 7778), bottom to top. Every
 * one of them, failure detection and merge included, travels sealed by the cipher below. Read it as
 * the architecture: each protocol does one job. The timings are set for a failover in under a
 * second: JGroups' defaults take about 40 s to notice a dead member.
 */
public final class FailoverProtocols {
  /** FD_SOCK2 listens on the channel's port plus this: 6794 for 6694, 7878 for 7778. */
  public static final int FD_SOCK_OFFSET = 100;

  /** How many ports above its first FD_SOCK2 may try when that one is taken. */
  public static final int FD_SOCK_PORT_RANGE = 2;

  private FailoverProtocols() {}

  /**
   * @param stableBytes how many bytes a member receives before the members compare what they have
   *     seen (and free what all have)
   */
  public static List<Protocol> above(InetAddress bind, int stableBytes) {
    return above(bind, stableBytes, 100);
  }

  /**
   * @param verifyMillis how long VERIFY_SUSPECT2 waits for a suspected member to answer before the
   *     view leaves it out
   */
  public static List<Protocol> above(InetAddress bind, int stableBytes, long verifyMillis) {
    return List.of(
        // After a partition heals, find the other half and merge (checks every 0.5-1.5 s): until
        // then both halves may be active.
        new MERGE3().setMinInterval(500).setMaxInterval(1500),
        // A killed process closes its TCP socket: noticed at once.
        new FD_SOCK2()
            .setBindAddress(bind)
            .setOffset(FD_SOCK_OFFSET)
            .setPortRange(FD_SOCK_PORT_RANGE),
        // A silent peer (cut link, frozen JVM): heartbeats every 0.5 s, suspect after 2 s. A
        // 1 s pause (a long GC) stays under it.
        new FD_ALL3().setInterval(500).setTimeout(2000),
        // Double-check a suspicion before acting on it.
        new VERIFY_SUSPECT2().setTimeout(verifyMillis),
        // Reliable, ordered delivery of group and unicast messages.
        new NAKACK2().setXmitInterval(500).setValue("use_mcast_xmit", false),
        new UNICAST3().setXmitInterval(500),
        new STABLE().setDesiredAverageGossip(5000).setMaxBytes(stableBytes),
        // Membership: views, joins, leaves, merges. A member that installs a view after its
        // coordinator froze would wait 2 s for the frozen one's acknowledgement; half a second
        // is plenty between two nodes.
        new GMS()
            .setJoinTimeout(1000)
            .setLeaveTimeout(500)
            .setViewAckCollectionTimeout(500)
            .setValue("print_local_addr", false),
        // Flow control and fragmentation for large messages (configurations, table transfers).
        new UFC(),
        new MFC(),
        new FRAG4());
  }
}
