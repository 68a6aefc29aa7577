package org.lbctl.core.os;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The kernel side of transparent virtual services (LAB.md section 5): a connection to a real server
 * leaves from the client's address, so the server's reply is addressed to the client and routed
 * back through this node; a mark on packets that belong to such a socket ({@code socket
 * transparent}) and a policy route deliver them locally. Both are needed, for IPv4 and IPv6. Kept
 * in a table and a routing table of lbctl's own; set up idempotently and removed when no VIP needs
 * them.
 */
public final class TransparentRouting {
  /** The packet mark: "lb". */
  public static final int MARK = 0x6c62;

  /** The policy routing table. */
  public static final int TABLE = 6694;

  static final String NFT_TABLE = "lbctl_transparent";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final List<String> FAMILIES = List.of("-4", "-6");

  private TransparentRouting() {}

  /** Sets the mark rule, the policy rule and the local route up (again). */
  public static void install() throws IOException {
    String rules =
        """
        table ip %1$s {}
        delete table ip %1$s
        table inet %1$s {}
        delete table inet %1$s
        table inet %1$s {
          chain prerouting {
            type filter hook prerouting priority mangle; policy accept;
            meta l4proto tcp socket transparent 1 meta mark set 0x%2$x accept
          }
        }
        """
            .formatted(NFT_TABLE, MARK);
    check(Commands.run(TIMEOUT, List.of("nft", "-f", "-"), rules));
    for (String family : FAMILIES) {
      // Replace rather than add: a second rule would only be a duplicate to remove later.
      Commands.run(TIMEOUT, rule(family, "del"));
      check(Commands.run(TIMEOUT, rule(family, "add")));
      check(
          Commands.run(
              TIMEOUT,
              List.of(
                  "ip",
                  family,
                  "route",
                  "replace",
                  "local",
                  family.equals("-4") ? "0.0.0.0/0" : "::/0",
                  "dev",
                  "lo",
                  "table",
                  Integer.toString(TABLE))));
    }
  }

  /** Removes what {@link #install} set up; what is already gone is not an error. */
  public static void remove() throws IOException {
    Commands.run(TIMEOUT, List.of("nft", "delete", "table", "inet", NFT_TABLE));
    // The table of builds that marked IPv4 only.
    Commands.run(TIMEOUT, List.of("nft", "delete", "table", "ip", NFT_TABLE));
    for (String family : FAMILIES) {
      Commands.run(TIMEOUT, rule(family, "del"));
      Commands.run(
          TIMEOUT, List.of("ip", family, "route", "flush", "table", Integer.toString(TABLE)));
    }
  }

  private static List<String> rule(String family, String verb) {
    return List.of(
        "ip",
        family,
        "rule",
        verb,
        "fwmark",
        "0x" + Integer.toHexString(MARK),
        "lookup",
        Integer.toString(TABLE));
  }

  private static void check(Commands.Result r) throws IOException {
    if (!r.ok()) {
      throw new IOException(r.describe());
    }
  }
}
