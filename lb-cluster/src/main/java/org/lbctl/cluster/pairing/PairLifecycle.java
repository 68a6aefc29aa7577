package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.PairOrder;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.status.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a node the primary or the secondary of a pair and takes it out again: offering and
 * answering pairing, joining, leaving and breaking, with the pair's controller and stick table.
 */
public final class PairLifecycle {
  private static final Logger log = LoggerFactory.getLogger(PairLifecycle.class);
  private static final Duration BREAK_WAIT = Duration.ofSeconds(5);

  private final PairSlot slot;
  private final PairParts parts;
  private final Supplier<NodeStatus> status;
  // Pairing, answering an offer and breaking take this lock, never the installer's monitor: they
  // wait for the pair's thread, which may itself be waiting for the installer to install a version.
  private final Object pairing = new Object();
  private final SecondaryPairing secondary;
  private final PrimaryPairing primary;

  /**
   * @param name this node's host name, told to the peer
   * @param status the node's status, answered once pairing or breaking is done
   */
  public PairLifecycle(
      PairSlot slot,
      ConfigInstaller installer,
      DataPlane plane,
      Alerter alerter,
      String name,
      Supplier<NodeStatus> status) {
    this.slot = slot;
    this.parts = new PairParts(slot, installer, plane, alerter);
    this.status = status;
    this.secondary = new SecondaryPairing(slot, installer, parts, name, pairing, this::onPeerBreak);
    this.primary = new PrimaryPairing(slot, installer, parts, status, this::onPeerBreak);
  }

  /** Joins the pair the node's settings name as the node starts. */
  public void start(PairSettings settings) throws IOException {
    parts.startPair(settings, this::onPeerBreak);
  }

  /** See {@code NodeControl.acceptPairing}. */
  public PairingOffer acceptPairing(InetSocketAddress listen) throws ApiException {
    synchronized (pairing) {
      return secondary.offerPairing(listen);
    }
  }

  /** Whether a pairing offer is open. */
  public boolean offering() {
    return secondary.offer().isOpen();
  }

  /** Closes the pairing offer, if one is open. */
  public void closeOffer() {
    secondary.offer().close();
  }

  /** See {@code NodeControl.pair}. */
  public NodeStatus pair(PairOrder order) throws ApiException {
    synchronized (pairing) {
      return primary.becomePrimary(order);
    }
  }

  /** See {@code NodeControl.breakPair}. */
  public NodeStatus breakPair(boolean force) throws ApiException {
    synchronized (pairing) {
      return leaveOnRequest(force);
    }
  }

  private NodeStatus leaveOnRequest(boolean force) throws ApiException {
    GroupPair p = slot.pair();
    if (p == null) {
      throw new ApiException(409, "this node is not in a pair");
    }
    NodeConfig local = slot.local();
    Path file = local.configFile().orElseThrow();
    if (!Files.exists(PairFile.beside(file))) {
      throw new ApiException(
          409,
          "this pair was set up by hand in the node file: remove its pair section on both nodes"
              + " and restart them");
    }
    String peer = local.pair().map(s -> s.peer().getAddress().getHostAddress()).orElse("?");
    if (!p.peerInView() && !force) {
      throw new ApiException(
          409,
          "the peer ("
              + peer
              + ") is not in the pair, so it cannot be told: it would keep its pair settings and"
              + " take the floating IPs when it starts. Break it there too (`lbctl pair --break"
              + " --force` on it) before it starts; --force breaks this side alone");
    }
    boolean left;
    try {
      left = p.breakPair(BREAK_WAIT);
    } catch (Exception e) {
      throw new ApiException(500, "cannot tell the peer: " + e.getMessage());
    }
    if (!left) {
      log.warn(
          "pair: the peer ({}) did not leave within {} s; check it with `lbctl status` there",
          peer,
          BREAK_WAIT.toSeconds());
    }
    parts.leave("broken by the operator on this node");
    return status.get();
  }

  /** The peer broke the pair: leave it too. Runs on its own thread. */
  private void onPeerBreak() {
    synchronized (pairing) {
      if (slot.pair() != null) {
        parts.leave("broken by the operator on the peer");
      }
    }
  }
}
