package org.lbctl.cluster.pair;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.l4.NftTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops datagrams to the pair's UDP port (6694: heartbeats, membership, failure detection) from
 * anyone but the peer, in the nftables table {@value #TABLE}, counted. A stranger's datagrams (a
 * replay of recorded traffic, a flood) then never reach the pair's cipher; one that forges the
 * peer's source address still gets there, and is dropped by the cipher (authenticated, with a
 * replay window). UDP only: the pair's UDP socket is bound to its address, so its source is known,
 * while the TCP connections of the stick table and the failure detectors leave from whatever
 * address the kernel picks; those ports are guarded by the cipher alone (and a connection carries
 * nothing unsealed). A guard that cannot be installed (or a link-local peer, which nft cannot name
 * without its zone) leaves the cipher alone on watch, and the log says so.
 */
public final class PairGuard implements AutoCloseable {
  private long count;
  private long countedAt = System.nanoTime() - 2_000_000_000L;
  private static final Logger log = LoggerFactory.getLogger(PairGuard.class);
  public static final String TABLE = "lbctl_pair_guard";
  static final String COUNTER = "foreign";

  private final InetSocketAddress bind;
  private List<InetAddress> peers;
  private boolean installed;

  public PairGuard(PairSettings settings) {
    this(settings.bind(), List.of(settings.peer().getAddress()));
  }

  /**
   * A guard of the UDP port of {@code bind} that lets in {@code peers} (a cluster's other members)
   * and this node only.
   */
  public PairGuard(InetSocketAddress bind, List<InetAddress> peers) {
    this.bind = bind;
    this.peers = List.copyOf(peers);
  }

  /** The table for these settings, as an nft document that replaces an earlier one. */
  static String document(PairSettings settings) {
    return document(settings.bind(), List.of(settings.peer().getAddress()));
  }

  static String document(InetSocketAddress bind, List<InetAddress> peers) {
    InetAddress self = bind.getAddress();
    String ip = self instanceof Inet6Address ? "ip6" : "ip";
    int udp = bind.getPort();
    java.util.Set<String> addresses = new java.util.LinkedHashSet<>();
    peers.forEach(p -> addresses.add(p.getHostAddress()));
    addresses.add(self.getHostAddress());
    String allowed = "{ " + String.join(", ", addresses) + " }";
    return """
        table inet %1$s
        delete table inet %1$s
        table inet %1$s {
          counter %2$s {}
          chain in {
            type filter hook input priority filter - 10; policy accept;
            iif "lo" accept
            udp dport %3$d %4$s saddr != %5$s counter name "%2$s" drop
          }
        }
        """
        .formatted(TABLE, COUNTER, udp, ip, allowed);
  }

  /** Lets in {@code next} instead (a member joined or left); replaces the installed table. */
  public synchronized void allow(List<InetAddress> next) {
    if (next.equals(peers)) {
      return; // The same list: nothing to replace.
    }
    peers = List.copyOf(next);
    if (installed) {
      install();
    }
  }

  /** Installs the guard; a failure is logged, not thrown: the cipher still guards the pair. */
  public synchronized void install() {
    if (peers.stream().anyMatch(InetAddress::isLinkLocalAddress)
        || bind.getAddress().isLinkLocalAddress()) {
      log.warn(
          "pair guard: not installed for a link-local pair address; the pair's cipher alone drops"
              + " strangers' datagrams");
      return;
    }
    try {
      NftTable.apply(document(bind, peers));
      installed = true;
      log.info(
          "pair guard: nftables table inet {} drops datagrams to UDP {} from any source but {}",
          TABLE,
          bind.getPort(),
          peers.stream().map(InetAddress::getHostAddress).toList());
    } catch (IOException e) {
      log.warn(
          "pair guard: cannot install nftables table inet {} ({}); the pair's cipher alone drops"
              + " strangers' packets",
          TABLE,
          e.getMessage());
    }
  }

  /**
   * Packets from strangers dropped so far, read from the kernel at most once a second (status pages
   * and scrapes ask often).
   */
  public synchronized long dropped() {
    long now = System.nanoTime();
    if (!installed || now - countedAt < 1_000_000_000L) {
      return count;
    }
    countedAt = now;
    try {
      NftTable.Count c = NftTable.counters(TABLE).get(COUNTER);
      count = c == null ? 0 : c.packets();
    } catch (IOException e) {
      // The last count stands; the table may be going away.
    }
    return count;
  }

  @Override
  public synchronized void close() {
    if (!installed) {
      return;
    }
    installed = false;
    try {
      NftTable.remove("inet", TABLE);
    } catch (IOException e) {
      log.warn("pair guard: cannot remove nftables table inet {}: {}", TABLE, e.getMessage());
    }
  }
}
