package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.cluster.pair.PairState;
import org.lbctl.cluster.pair.TermStore;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.core.alert.AlertEvent;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.PairSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops a node's pair in its {@link PairSlot}: the two-member cluster (stick table,
 * fence, group controller) that carries it, the pair's files beside the configuration, and the
 * serving state of a node alone.
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

  void requireAlone(String what) throws ApiException {
    GroupPair p = slot.pair();
    NodeConfig local = slot.local();
    if (p != null) {
      throw new ApiException(
          409,
          "cannot "
              + what
              + ": this node is already the "
              + local.pair().map(s -> s.role().configName()).orElse("")
              + " of a pair with "
              + local.pair().map(s -> s.peer().getAddress().getHostAddress()).orElse("?")
              + "; `lbctl pair --break` first");
    }
    if (local.configFile().isEmpty()) {
      throw new ApiException(
          409,
          "cannot "
              + what
              + ": this node runs on an embedded configuration; a node of a pair needs a"
              + " configuration file (--config or the node file's configFile) to keep its versions"
              + " in");
    }
  }

  /**
   * Writes the pair's files and starts the pair; on failure removes them again, so the node stays
   * as it was: alone.
   */
  void join(PairSettings settings, String secret, ConfigStore newStore, Runnable onBreak)
      throws IOException {
    NodeConfig before = slot.local();
    Path file = before.configFile().orElseThrow();
    try {
      PairFile.write(file, settings, secret);
      slot.setLocal(before.withPair(Optional.of(settings)));
      installer.useStore(Optional.of(newStore));
      // The primary's users and tokens are the pair's: the secondary's give way at its first word.
      if (settings.role() == org.lbctl.core.config.PairRole.SECONDARY) {
        plane.accounts().unnumber();
      } else {
        plane.accounts().claim();
      }
      startPair(settings, onBreak);
    } catch (IOException | RuntimeException e) {
      try {
        plane.accounts().claim();
      } catch (IOException claim) {
        e.addSuppressed(claim);
      }
      GroupPair p = slot.pair();
      slot.setPair(null);
      if (p != null) {
        p.detach();
      }
      slot.setLocal(before);
      installer.useStore(Optional.empty());
      PairFile.delete(file);
      restoreServing();
      throw e;
    }
  }

  /** Leaves the pair for {@code reason}: this node runs alone from now on, serving what it ran. */
  void leave(String reason) {
    GroupPair p = slot.pair();
    boolean active = p.state() == PairState.ACTIVE;
    List<FloatingIp> ips = installer.runningConfig().allFloatingIps();
    p.detach();
    slot.setPair(null);
    NodeConfig local = slot.local().withPair(Optional.empty());
    slot.setLocal(local);
    installer.useStore(Optional.empty());
    try {
      PairFile.delete(local.configFile().orElseThrow());
    } catch (IOException e) {
      log.error(
          "pair: cannot remove {}: {}; remove it before the node restarts, or it rejoins the pair",
          PairFile.beside(local.configFile().orElseThrow()),
          e.getMessage());
    }
    restoreServing();
    log.warn(
        "pair: left the pair ({}); this node runs alone now{}",
        reason,
        active
            ? " and keeps "
                + ips
                + " (a lone node does not manage addresses; the systemd unit's ExecStopPost removes them"
                + " when it stops)"
            : "");
  }
}
