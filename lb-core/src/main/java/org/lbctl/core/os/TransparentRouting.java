package org.lbctl.core.os;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The kernel side of transparent virtual services (LAB.md section 5): a connection to a real server
 * leaves from the client's address, so the server's reply is addressed to the client and routed
 * back through this node; a mark on packets that belong to such a socket ({@code socket
 * transparent}) and a policy route deliver them locally. Both are needed. Kept in a table and a
 * routing table of lbctl's own; set up idempotently and removed when no VIP needs them.
 */
public final class TransparentRouting {
  /** The packet mark: "lb". */
  public static final int MARK = 0x6c62;

  /** The policy routing table. */
  public static final int TABLE = 6694;

  static final String NFT_TABLE = "lbctl_transparent";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private TransparentRouting() {}

  /** Sets the mark rule, the policy rule and the local route up (again). */
  public static void install() throws IOException {
    String rules =
        """
        table ip %1$s {}
        delete table ip %1$s
        table ip %1$s {
          chain prerouting {
            type filter hook prerouting priority mangle; policy accept;
            meta l4proto tcp socket transparent 1 meta mark set 0x%2$x accept
          }
        }
        """
            .formatted(NFT_TABLE, MARK);
    check(Commands.run(TIMEOUT, List.of("nft", "-f", "-"), rules));
    // Replace rather than add: a second rule would only be a duplicate to remove later.
    Commands.run(TIMEOUT, rule("del"));
    check(Commands.run(TIMEOUT, rule("add")));
    check(
        Commands.run(
            TIMEOUT,
            List.of(
                "ip",
                "route",
                "replace",
                "local",
                "0.0.0.0/0",
                "dev",
                "lo",
                "table",
                Integer.toString(TABLE))));
  }

  /** Removes what {@link #install} set up; what is already gone is not an error. */
  public static void remove() throws IOException {
    Commands.run(TIMEOUT, List.of("nft", "delete", "table", "ip", NFT_TABLE));
    Commands.run(TIMEOUT, rule("del"));
    Commands.run(TIMEOUT, List.of("ip", "route", "flush", "table", Integer.toString(TABLE)));
  }

  private static List<String> rule(String verb) {
    return List.of(
        "ip",
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
