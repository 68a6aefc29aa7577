package org.lbctl.cluster.pair;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.status.ClusterStatus;
import org.lbctl.core.status.PairStatus;

/**
 * The pair as the management API shows it, read from the group controller's snapshot of the two
 * members: roles, the peer's presence and version, the configuration's sync and who may edit.
 */
final class PairReport {
  /** A peer unheard for this long (the detection time) is absent, whatever the view says. */
  private static final long PRESENT_MILLIS = 2_000;

  private final PairSettings settings;
  private final ConfigInstaller installer;
  private final PairEdits edits;
  private final String peerName;

  PairReport(PairSettings settings, ConfigInstaller installer, PairEdits edits, String peerName) {
    this.settings = settings;
    this.installer = installer;
    this.edits = edits;
    this.peerName = peerName;
  }

  Optional<ClusterStatus.Member> peer(ClusterStatus c) {
    return c == null
        ? Optional.empty()
        : c.members().stream().filter(m -> m.name().equals(peerName)).findFirst();
  }

  /** In the view and heard within the detection time. */
  static boolean present(Optional<ClusterStatus.Member> peer) {
    return peer.isPresent()
        && peer.get().inView()
        && peer.get().heardAgoMillis() >= 0
        && peer.get().heardAgoMillis() < PRESENT_MILLIS;
  }

  static Optional<ConfigVersion> peerVersion(Optional<ClusterStatus.Member> peer) {
    return present(peer)
        ? Optional.of(new ConfigVersion(peer.get().configVersion(), peer.get().configHash()))
        : Optional.empty();
  }

  PairStatus of(ClusterStatus c, PairState state, Instant since, String reason, long term) {
    Optional<ClusterStatus.Member> peer = peer(c);
    boolean present = present(peer);
    ConfigVersion mine = installer.version();
    Optional<ConfigVersion> theirs = peerVersion(peer);
    edits.settle(present, mine, theirs);
    List<String> floating =
        installer.runningConfig().allFloatingIps().stream().map(f -> f.cidr()).toList();
    boolean peerActive = present && !peer.get().groups().isEmpty();
    return new PairStatus(
        settings.role().configName(),
        state.displayName(),
        since.toString(),
        reason,
        c == null
            ? List.of()
            : c.members().stream().filter(m -> m.inView()).map(m -> m.name()).toList(),
        floating,
        state == PairState.ACTIVE ? floating : List.of(),
        mine.number(),
        mine.hash(),
        PairSyncText.describe(present, mine, theirs),
        edits.refusal(present, mine, theirs).orElse("accepted"),
        edits.promoted(),
        new PairStatus.PeerStatus(
            settings.peer().getAddress().getHostAddress(),
            present,
            peerName,
            !present ? "absent" : peerActive ? "active" : "passive",
            present ? peer.get().heardAgoMillis() : -1,
            theirs.map(ConfigVersion::number).orElse(-1L),
            theirs.map(ConfigVersion::hash).orElse(""),
            peerActive ? floating : List.of()),
        present && theirs.isPresent() && !theirs.get().equals(mine),
        term,
        fence(c, state),
        settings.warnings(),
        c == null
            ? PairStatus.Refused.NONE
            : new PairStatus.Refused(c.refusedStrangers(), c.refusedForged(), c.refusedReplayed()));
  }

  private String fence(ClusterStatus c, PairState state) {
    if (!settings.fencing().enabled()) {
      return "off (pair.fencing: off): nothing silences a frozen node";
    }
    String lease = "lease " + settings.fencing().lease().toMillis() + " ms";
    if (state != PairState.ACTIVE) {
      return "silent (" + lease + ")";
    }
    return c != null && c.leaseRenewed()
        ? "answering (" + lease + ")"
        : "silent: its lease is not renewed (" + lease + ")";
  }
}
