package org.lbctl.cluster.floating;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.os.Commands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fence as one nftables table on the floating IPs' interface (LAB.md section 9). Netdev hooks,
 * because only the egress hook also catches ARP that {@code arping} sends on a raw socket after the
 * JVM that started it froze. A missing or expired lease element means silent, so the table fails
 * closed: loaded, it answers nothing until the first renewal.
 *
 * <p>Renewal is {@code add element … expires <lease>}: it refreshes an element in place and
 * re-creates an expired one, in one update with no absent phase.
 */
public final class NftFence implements Fence {
  private static final Logger log = LoggerFactory.getLogger(NftFence.class);
  public static final String TABLE = "lbctl_fence";
  private static final Duration NFT_TIMEOUT = Duration.ofSeconds(5);

  private final String device;
  private final Duration lease;
  private final List<String> execPrefix;

  public NftFence(String device, Duration lease, List<String> execPrefix) {
    this.device = device;
    this.lease = lease;
    this.execPrefix = List.copyOf(execPrefix);
  }

  /**
   * Loads the table afresh (every address silent) on {@code device}.
   *
   * @throws IOException saying what the kernel or nft refused, and how to run without a fence
   */
  public void install() throws IOException {
    String table =
        """
        table netdev %1$s
        delete table netdev %1$s
        table netdev %1$s {
          set floating4 { type ipv4_addr; }
          set floating6 { type ipv6_addr; }
          set lease4 { type ipv4_addr; flags timeout; timeout %2$dms; }
          set lease6 { type ipv6_addr; flags timeout; timeout %2$dms; }
          chain in {
            type filter hook ingress device "%3$s" priority -500; policy accept;
            ip daddr @floating4 ip daddr != @lease4 counter drop
            ip6 daddr @floating6 ip6 daddr != @lease6 counter drop
          }
          chain out {
            type filter hook egress device "%3$s" priority -500; policy accept;
            arp saddr ip @floating4 arp saddr ip != @lease4 counter drop
            icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } ip6 saddr @floating6 ip6 saddr != @lease6 counter drop
          }
        }
        """
            .formatted(TABLE, lease.toMillis(), device);
    Commands.Result r = nft(table);
    if (!r.ok()) {
      throw new IOException(
          "cannot install the fence on "
              + device
              + ": "
              + r.output().strip()
              + ". The node needs nftables with netdev ingress and egress hooks (Linux 5.16 or"
              + " later), the interface "
              + device
              + " and CAP_NET_ADMIN; to run without a fence, set pair.fencing: off");
    }
    log.info(
        "fence: table netdev {} on {}: floating IPs answer only while this node renews a {} ms"
            + " lease",
        TABLE,
        device,
        lease.toMillis());
  }

  @Override
  public void guard(List<FloatingIp> ips) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("flush set netdev ").append(TABLE).append(" floating4\n");
    b.append("flush set netdev ").append(TABLE).append(" floating6\n");
    elements(b, "floating4", ips, false, "");
    elements(b, "floating6", ips, true, "");
    require(nft(b.toString()), "guard " + ips);
  }

  @Override
  public void renew(List<FloatingIp> ips) throws IOException {
    StringBuilder b = new StringBuilder();
    String expires = " expires " + lease.toMillis() + "ms";
    elements(b, "lease4", ips, false, expires);
    elements(b, "lease6", ips, true, expires);
    if (b.length() > 0) {
      require(nft(b.toString()), "renew the lease of " + ips);
    }
  }

  @Override
  public void shut() throws IOException {
    require(
        nft("flush set netdev " + TABLE + " lease4\nflush set netdev " + TABLE + " lease6\n"),
        "shut");
  }

  @Override
  public Duration lease() {
    return lease;
  }

  @Override
  public boolean enabled() {
    return true;
  }

  /** Deletes the table; absent is fine (the unit's ExecStopPost may run after a clean stop). */
  @Override
  public void close() {
    try {
      Commands.Result r = nft("delete table netdev " + TABLE + "\n");
      if (r.ok()) {
        log.info("fence: table netdev {} removed from {}", TABLE, device);
      } else if (!r.output().contains("No such file")) {
        log.warn("fence: cannot remove table netdev {}: {}", TABLE, r.describe());
      }
    } catch (IOException e) {
      log.warn("fence: cannot remove table netdev {}: {}", TABLE, e.getMessage());
    }
  }

  private static void elements(
      StringBuilder b, String set, List<FloatingIp> ips, boolean v6, String suffix) {
    String list =
        ips.stream()
            .filter(ip -> ip.isIpv6() == v6)
            .map(ip -> ip.address() + suffix)
            .distinct()
            .collect(Collectors.joining(", "));
    if (!list.isEmpty()) {
      b.append("add element netdev ")
          .append(TABLE)
          .append(' ')
          .append(set)
          .append(" { ")
          .append(list)
          .append(" }\n");
    }
  }

  private static void require(Commands.Result r, String what) throws IOException {
    if (!r.ok()) {
      throw new IOException("fence: cannot " + what + ": " + r.output().strip());
    }
  }

  private Commands.Result nft(String script) throws IOException {
    List<String> cmd = new ArrayList<>(execPrefix);
    cmd.addAll(List.of("nft", "-f", "-"));
    return Commands.run(NFT_TIMEOUT, cmd, script);
  }
}
