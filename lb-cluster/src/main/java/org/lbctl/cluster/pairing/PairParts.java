package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.cluster.pair.TermStore;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.alert.AlertEvent;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.PairSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops a node's pair in its {@link PairSlot}: the two-member cluster (stick table,
 * fence, group controller) that carries it, and the serving state of a node alone.
 */
final class PairParts {
  private static final Logger log = LoggerFactory.getLogger(PairParts.class);

  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final DataPlane plane;
  private final Alerter alerter;

  PairParts(PairSlot slot, ConfigInstaller installer, DataPlane plane, Alerter alerter) {
    this.slot = slot;
    this.installer = installer;
    this.plane = plane;
    this.alerter = alerter;
  }

  /**
   * Starts the pair {@code settings} name. Nothing floating answers here until the pair places its
   * addresses on this node.
   *
   * @param onBreak called (on its own thread) when the peer breaks the pair
   */
  void startPair(PairSettings settings, Runnable onBreak) throws IOException {
    try {
      plane.engine().setServing(false);
    } catch (ConfigException e) {
      throw new IOException("cannot close the floating listeners: " + e.getMessage(), e);
    }
    GroupPair pair =
        GroupPair.start(
            settings,
            installer,
            plane,
            slot.local()
                .configFile()
                .map(f -> f.toAbsolutePath().resolveSibling(TermStore.FILE_NAME)),
            (what, why) ->
                alerter.post(new AlertEvent(Instant.now(), Optional.empty(), "pair: " + what, why)),
            onBreak);
    slot.setPair(pair);
    // Now that the node finds the pair's stick table: tell the peer its real-server lists.
    installer.announceRealServers();
  }

  /** A lone node serves its whole configuration: listeners and layer 4 rules. */
  void restoreServing() {
    try {
      plane.engine().setServing(true);
      plane.kernel().syncNow();
    } catch (ConfigException e) {
      log.error("cannot open the listeners of this node: {}", e.getMessage());
    }
  }
}
