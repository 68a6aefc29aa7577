package org.lbctl.cluster.groups;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.lbctl.cluster.placement.GroupPlacement;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VipGroup;

/** The VIP groups of a configuration as the placement reads them, and their digest. */
final class GroupLayout {
  private GroupLayout() {}

  static List<GroupPlacement.Rule> rules(ReplicatedConfig c) {
    return c.groups().stream()
        .map(g -> new GroupPlacement.Rule(g.name(), g.preference(), g.failback()))
        .toList();
  }

  /**
   * A digest of what decides where groups go and what they carry: the groups and their addresses.
   * Members must agree on it before anything moves.
   */
  static String digest(ReplicatedConfig c) {
    StringBuilder b = new StringBuilder();
    for (VipGroup g : c.groups()) {
      b.append(g).append(c.addresses(g)).append('\n');
    }
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
