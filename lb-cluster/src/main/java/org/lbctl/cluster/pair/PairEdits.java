package org.lbctl.cluster.pair;

import java.util.Optional;
import org.lbctl.cluster.sync.Standing;
import org.lbctl.cluster.sync.SyncRules;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may edit a pair's configuration: the primary, or a secondary the operator promoted while the
 * primary was down, until the primary is back and runs the secondary's version. One editor at a
 * time keeps the two from numbering different edits alike.
 */
final class PairEdits {
  private static final Logger log = LoggerFactory.getLogger(PairEdits.class);

  private final PairRole role;
  private final String peerAddress;
  private volatile boolean promoted;

  PairEdits(PairRole role, String peerAddress) {
    this.role = role;
    this.peerAddress = peerAddress;
  }

  /**
   * Lets this secondary accept edits while the primary is down.
   *
   * @param peerPresent whether the primary is in the pair now
   * @param silentFor for a primary that went silent without its process being known to be gone, for
   *     how long (ms); empty when it is known gone or was never heard
   * @throws IllegalStateException naming why not
   */
  synchronized void promote(boolean peerPresent, Optional<Long> silentFor, boolean force) {
    if (role == PairRole.PRIMARY) {
      throw new IllegalStateException("this node is the primary; it accepts edits already");
    }
    if (peerPresent) {
      throw new IllegalStateException(
          "the primary ("
              + peerAddress
              + ") is in the pair: edit the configuration there; promote only while it is down");
    }
    if (silentFor.isPresent() && !force) {
      throw new IllegalStateException(
          "the primary went silent "
              + silentFor.get() / 1000
              + " s ago without leaving the pair: it may be running behind a partition and"
              + " taking edits of its own, and the two versions would diverge. Promote once it is"
              + " known to be down (stopped, or its host off) with --force");
    }
    if (!promoted) {
      promoted = true;
      log.warn(
          "pair: secondary promoted by the operator: it accepts configuration edits until the"
              + " primary is back and has its version");
    }
  }

  /** A promotion ends once the primary is back and runs this node's version. */
  synchronized void settle(boolean peerPresent, ConfigVersion mine, Optional<ConfigVersion> peer) {
    if (promoted && peerPresent && peer.isPresent() && peer.get().equals(mine)) {
      promoted = false;
      log.warn("pair: the primary runs configuration {} too; edits go to the primary again", mine);
    }
  }

  boolean promoted() {
    return promoted;
  }

  Optional<String> refusal(
      boolean peerPresent, ConfigVersion mine, Optional<ConfigVersion> peerVersion) {
    Optional<Standing> standing =
        peerPresent ? peerVersion.map(p -> SyncRules.compare(role, mine, p)) : Optional.empty();
    return SyncRules.editRefusal(role, promoted, peerPresent, standing, peerVersion, peerAddress);
  }
}
