package org.lbctl.cluster.pair;

import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.cluster.sync.ConfigSync;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.status.PairStatus;

/** The pair as the management API shows it, drawn from the controller's parts on its worker. */
final class PairStatusView {
  /** This node's side, as the controller holds it. */
  record Side(
      PairState state,
      Instant since,
      String sinceReason,
      long activeTerm,
      Suspension suspension,
      boolean joined,
      List<String> members,
      List<String> owned,
      boolean drift) {}

  private final PairSettings settings;
  private final Supplier<List<FloatingIp>> floatingIps;
  private final ConfigReplica replica;
  private final ConfigSync sync;
  private final TermStore terms;
  private final Fence fence;
  private final Liveness liveness;
  private final PeerWord peer;
  private final LongSupplier clock;

  PairStatusView(
      PairSettings settings,
      Supplier<List<FloatingIp>> floatingIps,
      ConfigReplica replica,
      ConfigSync sync,
      TermStore terms,
      Fence fence,
      Liveness liveness,
      PeerWord peer,
      LongSupplier clock) {
    this.settings = settings;
    this.floatingIps = floatingIps;
    this.replica = replica;
    this.sync = sync;
    this.terms = terms;
    this.fence = fence;
    this.liveness = liveness;
    this.peer = peer;
    this.clock = clock;
  }

  PairStatus of(Side side) {
    ConfigVersion mine = replica.version();
    var peers = sync.peerVersion();
    PairRole peerRole = settings.role() == PairRole.PRIMARY ? PairRole.SECONDARY : PairRole.PRIMARY;
    long now = clock.getAsLong();
    boolean present = side.joined() && liveness.peerPresent(now);
    return new PairStatus(
        settings.role().configName(),
        side.state().displayName(),
        side.since().toString(),
        side.sinceReason(),
        side.members(),
        floatingIps.get().stream().map(FloatingIp::cidr).toList(),
        side.owned(),
        mine.number(),
        mine.hash(),
        sync.describe(),
        sync.editRefusal().orElse("accepted"),
        sync.promoted(),
        new PairStatus.PeerStatus(
            settings.peer().getAddress().getHostAddress(),
            present,
            peerRole.configName(),
            !present ? "absent" : peer.state().map(PairState::displayName).orElse("unknown"),
            present && peer.heard() ? peer.ageMillis(now) : -1,
            peers.map(ConfigVersion::number).orElse(-1L),
            peers.map(ConfigVersion::hash).orElse(""),
            present
                ? peer.said().map(StateAnnouncement::floatingIpsOwned).orElse(List.of())
                : List.of()),
        side.drift(),
        Math.max(terms.current(), side.activeTerm()),
        fenceState(side),
        settings.warnings(),
        PairStatus.Refused.NONE);
  }

  private String fenceState(Side side) {
    if (!fence.enabled()) {
      return "off (pair.fencing: off): nothing silences a frozen node";
    }
    String lease = "lease " + fence.lease().toMillis() + " ms";
    if (side.state() != PairState.ACTIVE) {
      return "silent (" + lease + ")";
    }
    return side.suspension().on()
        ? "silent: " + side.suspension().reason() + " (" + lease + ")"
        : "answering (" + lease + ")";
  }
}
