package org.lbctl.cluster.pair;

import java.util.Optional;
import org.lbctl.core.config.ConfigVersion;

/** Where the two nodes' configuration versions stand, as the pair's status says it. */
final class PairSyncText {
  private PairSyncText() {}

  static String describe(boolean present, ConfigVersion mine, Optional<ConfigVersion> peer) {
    if (!present) {
      return "no peer";
    }
    if (peer.isEmpty()) {
      return "waiting for the peer's version";
    }
    ConfigVersion theirs = peer.get();
    if (theirs.equals(mine)) {
      return "in sync";
    }
    boolean ahead =
        mine.number() > theirs.number()
            || mine.number() == theirs.number() && mine.hash().compareTo(theirs.hash()) > 0;
    return ahead ? "sending " + mine + " to the peer" : "taking " + theirs + " from the peer";
  }
}
