package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.floating.NftFence;
import org.lbctl.cluster.pair.PairController;
import org.lbctl.cluster.pair.PairGuard;
import org.lbctl.cluster.pair.PingTargets;
import org.lbctl.cluster.pair.TermStore;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.alert.AlertEvent;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.persistence.InMemoryStickTable;
import org.lbctl.core.persistence.SwitchableStickTable;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.persistence.ReplicatedStickTable;
import org.lbctl.persistence.StickStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the parts of a node's pair in its {@link PairSlot}: the replicated stick table,
 * the fence and the pair's controller, and the serving gate the controller opens and closes.
 */
final class PairParts {
  private static final Logger log = LoggerFactory.getLogger(PairParts.class);

  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final ProxyEngine engine;
  private final L4DataPlane kernel;
  private final SwitchableStickTable sticks;
  private final Alerter alerter;

  // Drops pair traffic from strangers while this node is in a pair.

  PairParts(
      PairSlot slot,
      ConfigInstaller installer,
      ProxyEngine engine,
      L4DataPlane kernel,
      SwitchableStickTable sticks,
      Alerter alerter) {
    this.slot = slot;
    this.installer = installer;
    this.engine = engine;
    this.kernel = kernel;
    this.sticks = sticks;
    this.alerter = alerter;
  }

  /**
   * Joins the peer's stick table (TCP 7778 on the pair address) and routes through it. Returns once
   * this node holds the whole table: only then may it become active and serve the peer's persistent
   * clients.
   */
  void startStickTable(PairSettings settings, SecretKey key) throws IOException {
    long start = System.nanoTime();
    // The first part of a pair to listen: strangers' packets are dropped from now on.
    PairGuard guard = new PairGuard(settings);
    guard.install();
    slot.setGuard(guard);
    ReplicatedStickTable replicated;
    try {
      replicated =
          ReplicatedStickTable.start(
              new InetSocketAddress(settings.bind().getAddress(), StickStack.DEFAULT_PORT),
              new InetSocketAddress(settings.peer().getAddress(), StickStack.DEFAULT_PORT),
              key,
              settings.role().configName());
    } catch (Exception e) {
      throw new IOException("cannot start the replicated stick table: " + e.getMessage(), e);
    }
    slot.setReplicated(replicated);
    sticks.switchTo(replicated);
    kernel.replicateTo(replicated);
    installer.announceRealServers();
    log.info(
        "stick table: {} entries after {} ms (replicated with {} over TCP {})",
        replicated.size(),
        (System.nanoTime() - start) / 1_000_000,
        settings.peer().getAddress().getHostAddress(),
        StickStack.DEFAULT_PORT);
  }

  /** Back to a table of this node alone, keeping the live entries. */
  void stopStickTable() {
    PairGuard g = slot.guard();
    slot.setGuard(null);
    if (g != null) {
      g.close();
    }
    ReplicatedStickTable r = slot.replicated();
    if (r == null) {
      return;
    }
    slot.setReplicated(null);
    kernel.replicateTo(null);
    if (sticks.current() == r) {
      sticks.switchTo(new InMemoryStickTable());
    }
    r.close();
  }

  /** The fence of a pair node: installed (every address silent) before the pair starts. */
  private static Fence fence(PairSettings settings) throws IOException {
    if (!settings.fencing().enabled()) {
      return Fence.NONE;
    }
    NftFence fence = new NftFence(settings.device(), settings.fencing().lease(), List.of());
    fence.install();
    return fence;
  }

  /**
   * Starts the pair's controller on the fence and addresses of {@code settings}.
   *
   * @param onBreak called (on its own thread) when the peer breaks the pair
   */
  void startPair(PairSettings settings, SecretKey key, PairController.Start mode, Runnable onBreak)
      throws IOException {
    PairController pair =
        new PairController(
            settings,
            this::setServing,
            new FloatingIpOwner(settings.device(), List.of()),
            fence(settings),
            new TermStore(
                slot.local()
                    .configFile()
                    .map(f -> f.toAbsolutePath().resolveSibling(TermStore.FILE_NAME))),
            () -> installer.runningConfig().allFloatingIps(),
            new PingTargets(settings.pingTargets(), List.of()),
            installer);
    slot.setPair(pair);
    pair.onRoleChange(
        (what, why) ->
            alerter.post(new AlertEvent(Instant.now(), Optional.empty(), "pair: " + what, why)));
    try {
      pair.start(key, mode, onBreak);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Listeners and the kernel's layer 4 rules open and close together. */
  private void setServing(boolean serve) throws ConfigException {
    engine.setServing(serve);
    kernel.syncNow();
  }

  /** A lone node serves its whole configuration. */
  void restoreServing() {
    try {
      setServing(true);
    } catch (ConfigException e) {
      log.error("cannot open the listeners of this node: {}", e.getMessage());
    }
  }
}
