package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.cluster.pair.PairState;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.PairOrder;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.status.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a node the primary or the secondary of a pair and takes it out again: offering and
 * answering pairing, joining, leaving and breaking, with the pair's controller and stick table.
 */
public final class PairLifecycle {
  private static final Logger log = LoggerFactory.getLogger(PairLifecycle.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration PAIRING_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration BREAK_WAIT = Duration.ofSeconds(5);
  private static final Duration PAIR_UP = Duration.ofSeconds(10);

  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final ProxyEngine engine;
  private final PairParts parts;
  private final String name;
  private final Supplier<NodeStatus> status;
  // Pairing, answering an offer and breaking take this lock, never the installer's monitor: they
  // wait for the pair's thread, which may itself be waiting for the installer to install a version.
  private final Object pairing = new Object();
  private final OfferSlot offer = new OfferSlot();

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
    this.installer = installer;
    this.engine = plane.engine();
    this.parts = new PairParts(slot, installer, plane, alerter);
    this.name = name;
    this.status = status;
  }

  /** Joins the pair the node's settings name as the node starts. */
  public void start(PairSettings settings) throws IOException {
    parts.startPair(settings, this::onPeerBreak);
  }

  /** See {@code NodeControl.acceptPairing}. */
  public PairingOffer acceptPairing(InetSocketAddress listen) throws ApiException {
    synchronized (pairing) {
      return offerPairing(listen);
    }
  }

  private PairingOffer offerPairing(InetSocketAddress listen) throws ApiException {
    requireAlone("offer pairing");
    if (LocalAddresses.interfaceOf(listen.getAddress()).isEmpty()) {
      throw new ApiException(
          409,
          listen.getAddress().getHostAddress()
              + " is not an address of this node: listen on the address the primary reaches this"
              + " node at");
    }
    return offer.open(
        listen,
        PairingListener.pairing(request -> onPairingRequest(listen, request)),
        "lbctl pair --accept");
  }

  /** Whether a pairing offer is open. */
  public boolean offering() {
    return offer.isOpen();
  }

  /** Closes the pairing offer, if one is open. */
  public void closeOffer() {
    offer.close();
  }

  private void requireAlone(String what) throws ApiException {
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

  /** The offer's answer to a primary that presented the right token; on the listener's thread. */
  private PairingAnswer onPairingRequest(InetSocketAddress listen, PairingRequest request) {
    synchronized (pairing) {
      return becomeSecondary(listen, request);
    }
  }

  private PairingAnswer becomeSecondary(InetSocketAddress listen, PairingRequest request) {
    List<String> own =
        installer.runningConfig().virtualServices().stream().map(v -> v.label()).toList();
    try {
      requireAlone("become a secondary");
    } catch (ApiException e) {
      return PairingAnswer.refused(e.getMessage(), name, own);
    }
    if (!own.isEmpty() && !request.force()) {
      return PairingAnswer.refused(
          "it runs "
              + own.size()
              + " virtual service(s) of its own ("
              + String.join(", ", own)
              + "), which pairing replaces with the primary's configuration; pair with --force to"
              + " replace them (its file is kept beside as .before-pair-<time>)",
          name,
          own);
    }
    Path file = slot.local().configFile().orElseThrow();
    Optional<String> device = LocalAddresses.interfaceOf(listen.getAddress());
    if (device.isEmpty()) {
      return PairingAnswer.refused(
          listen.getAddress().getHostAddress() + " is no longer an address of it", name, own);
    }
    PairSettings settings =
        new PairSettings(
            PairRole.SECONDARY,
            listen,
            request.primary(),
            file.toAbsolutePath().resolveSibling(PairFile.SECRET_NAME),
            request.pingTargets(),
            request.failback(),
            device.get());
    try {
      if (!own.isEmpty()) {
        Path kept = org.lbctl.core.os.AtomicFiles.keepBeside(file, ".before-pair-");
        log.warn("pairing: this node's own configuration is kept in {}", kept);
      }
      ConfigStore newStore = new ConfigStore(file);
      // Unnumbered: whatever this node ran alone, the primary's version replaces it.
      Files.deleteIfExists(newStore.versionFile());
      ConfigVersion alone = installer.version();
      installer.setVersion(new ConfigVersion(0, alone.hash()));
      try {
        joinPair(settings, request.secret(), newStore);
      } catch (IOException | RuntimeException e) {
        installer.setVersion(alone);
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "pairing: cannot become the secondary of {}: {}", request.primary(), e.getMessage());
      return PairingAnswer.refused("it cannot start the pair: " + e.getMessage(), name, own);
    }
    offer.used();
    log.warn(
        "pairing: this node is now the SECONDARY of {}; it takes the primary's configuration and"
            + " stays passive until it has heard from it",
        Endpoints.format(request.primary()));
    return PairingAnswer.accepted(name);
  }

  /** See {@code NodeControl.pair}. */
  public NodeStatus pair(PairOrder order) throws ApiException {
    synchronized (pairing) {
      return becomePrimary(order);
    }
  }

  private NodeStatus becomePrimary(PairOrder order) throws ApiException {
    requireAlone("pair");
    PairingToken token =
        PairingToken.parse(order.token())
            .orElseThrow(
                () ->
                    new ApiException(
                        400,
                        "token: not a pairing token (26 letters and digits in groups of five, as"
                            + " `lbctl pair --accept` printed it on the peer)"));
    LocalAddresses.Endpoint here;
    try {
      here = LocalAddresses.toward(order.peer(), order.bind(), order.device());
    } catch (IOException e) {
      throw new ApiException(409, "cannot pair: " + e.getMessage() + "; nothing changed");
    }
    InetSocketAddress bind = here.bind();
    String device = here.device();
    String secret = HexFormat.of().formatHex(bytes(32));
    PairingRequest request =
        new PairingRequest(
            java.util.UUID.randomUUID().toString(),
            bind,
            secret,
            order.pingTargets(),
            order.failback(),
            order.force());
    PairingAnswer answer;
    try {
      answer = PairingClient.send(order.peer(), token, request, PAIRING_TIMEOUT);
    } catch (PairingException e) {
      throw new ApiException(502, "pairing failed, nothing changed: " + e.getMessage());
    }
    String peerName = Endpoints.format(order.peer());
    if (!answer.accepted()) {
      throw new ApiException(
          409,
          "the peer "
              + peerName
              + (answer.hostname().isEmpty() ? "" : " (" + answer.hostname() + ")")
              + " refused: "
              + answer.reason()
              + "; nothing changed");
    }
    Path file = slot.local().configFile().orElseThrow();
    PairSettings settings =
        new PairSettings(
            PairRole.PRIMARY,
            bind,
            order.peer(),
            file.toAbsolutePath().resolveSibling(PairFile.SECRET_NAME),
            order.pingTargets(),
            order.failback(),
            device);
    try {
      joinPair(settings, secret, new ConfigStore(file));
    } catch (IOException | RuntimeException e) {
      log.error("pairing: the peer {} accepted, but this node cannot start the pair", peerName, e);
      throw new ApiException(
          500,
          "the peer "
              + peerName
              + " accepted, but this node cannot start the pair: "
              + e.getMessage()
              + "; run `lbctl pair --break --force` on the peer, fix this and pair again");
    }
    installer.recordVersion(installer.version());
    try {
      // It takes the floating addresses once the secondary runs its version: a moment.
      slot.pair().awaitActive(PAIR_UP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.warn(
        "pairing: this node is now the PRIMARY of a pair with {} ({}); floating IPs on {}",
        peerName,
        answer.hostname(),
        device);
    return status.get();
  }

  /**
   * Writes the pair's files and starts the pair; on failure removes them again, so the node stays
   * as it was: alone.
   */
  private void joinPair(PairSettings settings, String secret, ConfigStore newStore)
      throws IOException {
    NodeConfig before = slot.local();
    Path file = before.configFile().orElseThrow();
    try {
      PairFile.write(file, settings, secret);
      slot.setLocal(before.withPair(Optional.of(settings)));
      installer.useStore(Optional.of(newStore));
      parts.startPair(settings, this::onPeerBreak);
    } catch (IOException | RuntimeException e) {
      GroupPair p = slot.pair();
      slot.setPair(null);
      if (p != null) {
        p.detach();
      }
      slot.setLocal(before);
      installer.useStore(Optional.empty());
      PairFile.delete(file);
      parts.restoreServing();
      throw e;
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
    leavePair("broken by the operator on this node");
    return status.get();
  }

  /** The peer broke the pair: leave it too. Runs on its own thread. */
  private void onPeerBreak() {
    synchronized (pairing) {
      if (slot.pair() != null) {
        leavePair("broken by the operator on the peer");
      }
    }
  }

  private void leavePair(String reason) {
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
    parts.restoreServing();
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

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
