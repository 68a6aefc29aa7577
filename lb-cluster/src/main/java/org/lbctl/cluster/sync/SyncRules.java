package org.lbctl.cluster.sync;

import java.util.Optional;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;

/**
 * Which configuration wins and who may edit it. Pure, and the same on both nodes, so the two agree
 * on the answer without asking each other.
 *
 * <p>Only one node accepts edits at a time (the primary, or a secondary promoted while the primary
 * is down), so the higher version number is the newer configuration. Two versions with the same
 * number and different contents can only come from edits made on both sides of a partition; then
 * the primary's wins and the secondary's file is kept aside when it is replaced.
 */
public final class SyncRules {
  private SyncRules() {}

  public static Standing compare(PairRole me, ConfigVersion mine, ConfigVersion peers) {
    if (mine.number() == peers.number() && mine.hash().equals(peers.hash())) {
      return Standing.IN_SYNC;
    }
    if (mine.number() != peers.number()) {
      return mine.number() > peers.number() ? Standing.AHEAD : Standing.BEHIND;
    }
    return me == PairRole.PRIMARY ? Standing.AHEAD : Standing.BEHIND;
  }

  /**
   * The version a node starts on. An editing node (the primary, or one running alone) that finds
   * its file changed since the recorded version numbers the change; a secondary does not number
   * anything, so a file changed there runs unnumbered (0) until the primary's version replaces it.
   */
  public static ConfigVersion atStart(
      boolean editor, Optional<ConfigVersion> recorded, String hash) {
    if (recorded.isPresent() && recorded.get().hash().equals(hash)) {
      return recorded.get();
    }
    if (!editor) {
      return new ConfigVersion(0, hash);
    }
    return recorded.map(r -> r.next(hash)).orElse(new ConfigVersion(1, hash));
  }

  /**
   * Why an edit (a reload) is refused on this node; empty when it is accepted.
   *
   * @param standing against the peer, empty when the peer is absent or has not said its version
   * @param peer the peer's pair address, to say where to edit instead
   */
  public static Optional<String> editRefusal(
      PairRole role,
      boolean promoted,
      boolean peerPresent,
      Optional<Standing> standing,
      Optional<ConfigVersion> peerVersion,
      String peer) {
    if (role == PairRole.PRIMARY) {
      if (peerPresent && standing.orElse(Standing.IN_SYNC) == Standing.BEHIND) {
        return Optional.of(
            "the secondary holds configuration "
                + peerVersion.map(ConfigVersion::toString).orElse("")
                + ", newer than this node's; it is being installed here: reload again once"
                + " `lbctl status` shows both nodes on it");
      }
      return Optional.empty();
    }
    if (!promoted) {
      return Optional.of(
          "this node is the secondary: edit the configuration on the primary ("
              + peer
              + ") and reload there; the new version reaches this node by itself. While the"
              + " primary is down, `lbctl promote` on this node lets it accept edits");
    }
    if (peerPresent) {
      return Optional.of(
          "the primary ("
              + peer
              + ") is back: edits go to the primary again once it has taken this node's version");
    }
    return Optional.empty();
  }
}
