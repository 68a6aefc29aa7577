package org.lbctl.cluster.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.sync.ConfigPush;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.cluster.sync.ConfigSync;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.os.Commands;
import org.lbctl.core.status.PairStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node the pair's active or passive member and acts on it: membership changes and the
 * peer's announcements go in, {@link RoleDecider} decides, and a change moves the floating IPs and
 * turns the data plane on or off. Every step runs on one thread, in order, so two transitions never
 * interleave; JGroups threads only hand work over.
 *
 * <p>Taking over: open the listeners (they may bind before the address exists), add the addresses,
 * announce them. Giving up: stop serving, remove the addresses.
 */
public final class PairController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PairController.class);

  private final PairSettings settings;
  private final ServingGate gate;
  private final FloatingIpOwner owner;
  private final Supplier<List<FloatingIp>> floatingIps;
  private final PingTargets pingTargets;
  private final ConfigReplica replica;
  private final ConfigSync sync;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The message that ends the pair: the receiver leaves it and runs alone. */
  static final String BREAK_TYPE = "break";

  /** How a node joins its pair. */
  public enum Start {
    /** A node starting up: it clears what a killed run left, and the first view decides. */
    FRESH,
    /**
     * A lone node that becomes the primary while serving: it keeps its listeners and takes the
     * floating IPs at once, so its clients see no gap.
     */
    KEEP_SERVING,
    /**
     * A lone node that has just become the secondary: it does not take over before it has heard
     * from its primary once, since it has neither the pair's configuration nor a reason to think
     * the primary is dead.
     */
    AWAIT_PEER
  }

  /**
   * Announcements repeat at this interval while the peer is there: a message sent just as a view
   * changes can be dropped by a peer that has not installed that view yet, and a repeated one also
   * tells a peer that missed a change.
   */
  static final long ANNOUNCE_INTERVAL_MILLIS = 500;

  /** Two missed announcements: the peer is silent, or this node is cut off. */
  static final long ISOLATION_SILENCE_NANOS = 1_000_000_000L;

  /** How long after an isolation a node checks for another holder before taking over. */
  static final long RECENT_ISOLATION_NANOS = 10_000_000_000L;

  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-pair");
            t.setDaemon(true);
            return t;
          });

  // Owned by the worker thread.
  private PairMembership membership;
  private PairState state = PairState.PASSIVE;
  private boolean peerPresent;
  private Optional<PairState> peerState = Optional.empty();
  private boolean yielding;
  private boolean isolatedLogged;
  // Written by the worker only; volatile so status() can age the heartbeat without asking it.
  private volatile long lastPeerMessageNanos = System.nanoTime();
  private boolean heardFromPeer;
  private List<String> peerOwned = List.of();
  private long isolatedAtNanos = Long.MIN_VALUE;
  private boolean probing;
  private Instant since = Instant.now();
  private String sinceReason = "starting";
  private boolean awaitingPeer;
  private boolean awaitLogged;
  // Set when the pair is being broken: no more role changes, whatever the views say.
  private boolean leaving;
  private Runnable onBreak = () -> {};
  // Told of every role change (alerts): "secondary is now ACTIVE", and why.
  private volatile java.util.function.BiConsumer<String, String> onRoleChange = (what, why) -> {};
  private final CompletableFuture<Void> peerGone = new CompletableFuture<>();

  /** What the worker last saw; the management API reads it without waiting for the worker. */
  private volatile PairStatus status;

  public PairController(
      PairSettings settings,
      ServingGate gate,
      FloatingIpOwner owner,
      Supplier<List<FloatingIp>> floatingIps,
      PingTargets pingTargets,
      ConfigReplica replica) {
    this.replica = replica;
    this.settings = settings;
    this.gate = gate;
    this.owner = owner;
    this.floatingIps = floatingIps;
    this.pingTargets = pingTargets;
    this.sync =
        new ConfigSync(
            settings.role(),
            replica,
            settings.peer().getAddress().getHostAddress(),
            bytes -> {
              if (membership != null) {
                membership.send(bytes);
              }
            });
    this.status = snapshot();
  }

  /**
   * Cleans up what a previous run may have left (a killed process leaves its addresses configured),
   * then joins the pair; the first view decides the role.
   */
  public void start(javax.crypto.SecretKey key) throws Exception {
    start(key, Start.FRESH, () -> {});
  }

  /**
   * Joins the pair.
   *
   * @param onBreak called (on its own thread) when the peer breaks the pair: this controller has
   *     stopped changing roles and waits to be detached
   */
  public void start(javax.crypto.SecretKey key, Start mode, Runnable onBreak) throws Exception {
    this.onBreak = onBreak;
    runOnWorker(
        () -> {
          awaitingPeer = mode == Start.AWAIT_PEER;
          if (mode == Start.KEEP_SERVING) {
            transition(PairState.ACTIVE, "paired while serving: keeps its clients");
          } else {
            gate.setServing(false);
            owner.release(floatingIps.get());
          }
          return null;
        });
    membership =
        PairMembership.join(
            settings,
            key,
            view -> worker.execute(() -> onView(view)),
            bytes -> worker.execute(() -> onMessage(bytes)));
    worker.scheduleWithFixedDelay(
        () -> announce(false),
        ANNOUNCE_INTERVAL_MILLIS,
        ANNOUNCE_INTERVAL_MILLIS,
        TimeUnit.MILLISECONDS);
    worker.scheduleWithFixedDelay(this::checkIsolation, 250, 250, TimeUnit.MILLISECONDS);
    // Alone, the answer depends on the network: ask again every second (the ping targets may
    // come back, or go away).
    worker.scheduleWithFixedDelay(
        () -> {
          if (!peerPresent && membership != null) {
            decide("alone: checking the ping targets", membership.view());
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
  }

  /**
   * This node gave its addresses up as isolated within the last 10 s and has not heard from its
   * peer since: a peer that took over meanwhile may still be there, unseen until the pair merges.
   */
  private boolean recentlyIsolated() {
    return isolatedAtNanos != Long.MIN_VALUE
        && System.nanoTime() - isolatedAtNanos < RECENT_ISOLATION_NANOS;
  }

  private void onView(PairView view) {
    boolean wasPresent = peerPresent;
    peerPresent = view.peerPresent();
    if (peerPresent) {
      // Met the primary: from now on its absence means what it means for any pair.
      awaitingPeer = false;
    }
    if (!peerPresent || !wasPresent || view.merge()) {
      // A new peer, or one back from a partition, has not told us its state in this view.
      peerState = Optional.empty();
    }
    if (!peerPresent) {
      yielding = false;
      heardFromPeer = false;
      peerOwned = List.of();
      if (leaving) {
        peerGone.complete(null);
      }
    }
    boolean wasDrift = drift();
    sync.peerPresent(peerPresent);
    noteDrift(wasDrift);
    String reason =
        !peerPresent
            ? (wasPresent ? "the peer was lost" : "no peer in the pair")
            : view.merge() ? "a partition healed" : "the peer joined";
    decide(reason, view);
    if (peerPresent) {
      announce(false);
    }
    if (view.merge() && state == PairState.ACTIVE) {
      // The other half may have announced the addresses meanwhile: take them back.
      owner.announce(floatingIps.get());
    }
  }

  /**
   * An active node whose peer has gone quiet and which reaches none of its ping targets is the one
   * cut off: it gives its addresses up now, before the peer (which notices the silence only after
   * FD_ALL3's 2 s) takes them, so the two never hold them at once. A node that was only paused (a
   * long GC) still reaches its ping targets and keeps the role.
   */
  private void checkIsolation() {
    if (state != PairState.ACTIVE
        || !peerPresent
        || System.nanoTime() - lastPeerMessageNanos < ISOLATION_SILENCE_NANOS) {
      return;
    }
    probeForOtherHolder();
    if (pingTargets.targets().isEmpty()) {
      return;
    }
    if (!pingTargets.anyReachable()) {
      isolatedAtNanos = System.nanoTime();
      long quietMs = (System.nanoTime() - lastPeerMessageNanos) / 1_000_000;
      transition(
          PairState.PASSIVE,
          "isolated: no word from the peer for "
              + quietMs
              + " ms and none of the ping targets "
              + pingTargets.targets()
              + " answers");
    }
  }

  /**
   * The peer is silent but may be alive: if another host answers for our addresses, the peer took
   * over while this node could not hear it (it was frozen, or cut off and healed). Give them up at
   * once rather than both holding them until the pair merges. The probe takes up to a second, so it
   * runs beside the controller thread and reports back to it.
   */
  private void probeForOtherHolder() {
    if (probing) {
      return;
    }
    probing = true;
    List<FloatingIp> ips = floatingIps.get();
    Commands.async(() -> owner.heldElsewhere(ips))
        .whenComplete(
            (held, error) ->
                worker.execute(
                    () -> {
                      probing = false;
                      if (error == null
                          && !held.isEmpty()
                          && state == PairState.ACTIVE
                          && System.nanoTime() - lastPeerMessageNanos >= ISOLATION_SILENCE_NANOS) {
                        // Until the peer is heard again, probe before taking the addresses back:
                        // the holder is still there (caught by the partition test: the node took
                        // them back 0.9 s later and both held them until the pair merged).
                        isolatedAtNanos = System.nanoTime();
                        transition(
                            PairState.PASSIVE,
                            "another node answers for "
                                + held
                                + " while the peer is silent: it took over");
                      }
                    }));
  }

  /** Logs the start and end of a difference between the two nodes' configurations. */
  private void noteDrift(boolean wasDrift) {
    boolean isDrift = drift();
    if (isDrift && !wasDrift) {
      log.warn(
          "pair: configuration drift: this node runs {}, the peer {}: {}",
          replica.version(),
          sync.peerVersion().map(ConfigVersion::toString).orElse("?"),
          sync.describe());
    } else if (!isDrift && wasDrift) {
      log.info("pair: both nodes run configuration {} again", replica.version());
    }
  }

  private boolean drift() {
    return sync.peerVersion().map(p -> !p.hash().equals(replica.version().hash())).orElse(false);
  }

  private void onMessage(byte[] bytes) {
    JsonNode message;
    try {
      message = JSON.readTree(bytes);
    } catch (IOException e) {
      log.warn("pair: ignoring a message from the peer: {}", e.getMessage());
      return;
    }
    String type = message == null ? "" : message.path("type").asText();
    try {
      if (ConfigPush.TYPE.equals(type)) {
        onConfig(ConfigPush.from(message));
      } else if (BREAK_TYPE.equals(type)) {
        onBreakMessage();
      } else {
        onAnnouncement(StateAnnouncement.from(message));
      }
    } catch (IOException e) {
      log.warn("pair: ignoring a message from the peer: {}", e.getMessage());
    }
  }

  private void onConfig(ConfigPush push) {
    boolean wasDrift = drift();
    List<FloatingIp> before = floatingIps.get();
    sync.onPush(push);
    if (!floatingIps.get().equals(before)) {
      floatingIpsChanged(before);
    }
    noteDrift(wasDrift);
    announce(false);
    decide("took the peer's configuration", membership == null ? null : membership.view());
  }

  private void onBreakMessage() {
    if (leaving) {
      return;
    }
    leaving = true;
    log.warn(
        "pair: the peer ({}) broke the pair; this node leaves it and runs alone, {} the floating"
            + " IPs",
        settings.peer().getAddress().getHostAddress(),
        state == PairState.ACTIVE ? "keeping" : "without");
    Thread t = new Thread(onBreak, "lb-pair-break");
    t.setDaemon(true);
    t.start();
  }

  private void onAnnouncement(StateAnnouncement a) {
    if (!peerPresent) {
      // A joining node can hear its peer before it has installed the view that shows it. Taken
      // as it comes, "the peer is active" was then decided as "alone: take over" (caught by the
      // persistence system test: both held the VIP for 190 ms). The view decides first.
      return;
    }
    lastPeerMessageNanos = System.nanoTime();
    heardFromPeer = true;
    awaitingPeer = false;
    peerOwned = a.floatingIpsOwned();
    // Heard from the peer again: whatever happened during an isolation is now known.
    isolatedAtNanos = Long.MIN_VALUE;
    peerState = Optional.of(a.state());
    boolean wasDrift = drift();
    sync.onPeerVersion(a.config());
    noteDrift(wasDrift);
    if (a.state() == PairState.ACTIVE) {
      yielding = false;
    }
    if (a.handover() && state == PairState.PASSIVE) {
      transition(PairState.ACTIVE, "the peer handed the active role over");
      return;
    }
    decide("the peer is " + a.state().displayName(), membership == null ? null : membership.view());
  }

  private void decide(String reason, PairView view) {
    boolean pingOk = peerPresent || pingTargets.anyReachable();
    PairState next =
        RoleDecider.decide(
            new RoleInputs(
                settings.role(),
                state,
                peerPresent,
                peerState,
                pingOk,
                settings.failback(),
                yielding,
                sync.behind(),
                sync.peerBehind()));
    if (next == PairState.ACTIVE
        && state == PairState.PASSIVE
        && !peerPresent
        && recentlyIsolated()) {
      List<FloatingIp> held = owner.heldElsewhere(floatingIps.get());
      if (!held.isEmpty()) {
        log.warn(
            "pair: alone after being cut off, but another node answers for {}: waiting for the"
                + " pair to merge instead of taking over",
            held);
        return;
      }
    }
    if (next == PairState.ACTIVE && state == PairState.PASSIVE && awaitingPeer) {
      if (!awaitLogged) {
        log.warn(
            "pair: newly paired, waiting for the primary ({}) before this node may become active",
            settings.peer().getAddress().getHostAddress());
        awaitLogged = true;
      }
      refreshStatus();
      return;
    }
    if (next != state) {
      if (!peerPresent && !pingOk) {
        // Cut off, whichever way it was noticed: until the peer is heard again, probe for
        // another holder before taking the addresses back.
        isolatedAtNanos = System.nanoTime();
      }
      transition(
          next,
          !peerPresent && !pingOk
              ? "alone and none of the ping targets " + pingTargets.targets() + " answers"
              : reason);
    } else if (!peerPresent && state == PairState.PASSIVE && !pingOk && !isolatedLogged) {
      log.warn(
          "pair: alone and none of the ping targets {} answers; staying passive until one does",
          pingTargets.targets());
      isolatedLogged = true;
    }
    if (pingOk) {
      isolatedLogged = false;
    }
    refreshStatus();
  }

  private void transition(PairState next, String reason) {
    if (leaving) {
      log.info("pair: leaving the pair; not becoming {} ({})", next.displayName(), reason);
      return;
    }
    List<FloatingIp> ips = floatingIps.get();
    long start = System.nanoTime();
    long listenersDone;
    try {
      if (next == PairState.ACTIVE) {
        gate.setServing(true);
        listenersDone = System.nanoTime();
        owner.claim(ips);
      } else {
        gate.setServing(false);
        listenersDone = System.nanoTime();
        owner.release(ips);
      }
    } catch (Exception e) {
      log.error(
          "pair: cannot become {} ({}): {}; staying {}",
          next.displayName(),
          reason,
          e.getMessage(),
          state.displayName());
      rollback(next);
      return;
    }
    long end = System.nanoTime();
    log.warn(
        "pair: {} is now {}: {} (floating IPs {}; listeners {} ms, addresses {} ms)",
        settings.role().configName(),
        next.displayName().toUpperCase(java.util.Locale.ROOT),
        reason,
        ips,
        (listenersDone - start) / 1_000_000,
        (end - listenersDone) / 1_000_000);
    state = next;
    since = Instant.now();
    sinceReason = reason;
    refreshStatus();
    announce(false);
    onRoleChange.accept(
        settings.role().configName()
            + " is now "
            + next.displayName().toUpperCase(java.util.Locale.ROOT),
        reason);
  }

  /** Tells {@code listener} of every change of this node's state, with the reason. */
  public void onRoleChange(java.util.function.BiConsumer<String, String> listener) {
    this.onRoleChange = listener;
  }

  private void rollback(PairState failed) {
    try {
      if (failed == PairState.ACTIVE) {
        gate.setServing(false);
        owner.release(floatingIps.get());
      }
    } catch (Exception e) {
      log.error("pair: cleanup after a failed transition failed too: {}", e.getMessage());
    }
  }

  private List<String> membershipMembers() {
    PairView v = membership.view();
    return v == null ? List.of() : v.members();
  }

  private void announce(boolean handover) {
    if (membership == null || !peerPresent) {
      return;
    }
    try {
      membership.send(
          new StateAnnouncement(settings.role(), state, handover, replica.version(), owned())
              .toBytes());
    } catch (Exception e) {
      log.warn("pair: cannot tell the peer our state: {}", e.getMessage());
    }
  }

  /**
   * Hands the active role to the peer on purpose (the guides' manual failover).
   *
   * @throws IllegalStateException when this node is not active or has no peer to hand over to
   */
  public void failover() throws Exception {
    runOnWorker(
        () -> {
          if (state != PairState.ACTIVE) {
            throw new IllegalStateException(
                "this node is " + state.displayName() + "; run failover on the active node");
          }
          if (!peerPresent) {
            throw new IllegalStateException("the peer is not in the pair; nobody to hand over to");
          }
          yielding = true;
          transition(PairState.PASSIVE, "failover requested by the operator");
          announce(true);
          return null;
        });
  }

  private <T> T runOnWorker(java.util.concurrent.Callable<T> task) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    worker.execute(
        () -> {
          try {
            result.complete(task.call());
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        });
    try {
      return result.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  private List<String> owned() {
    return state == PairState.ACTIVE
        ? floatingIps.get().stream().map(FloatingIp::cidr).toList()
        : List.of();
  }

  private void refreshStatus() {
    status = snapshot();
  }

  private PairStatus snapshot() {
    List<String> members = membership == null ? List.of() : membershipMembers();
    ConfigVersion mine = replica.version();
    Optional<ConfigVersion> peers = sync.peerVersion();
    PairRole peerRole = settings.role() == PairRole.PRIMARY ? PairRole.SECONDARY : PairRole.PRIMARY;
    return new PairStatus(
        settings.role().configName(),
        state.displayName(),
        since.toString(),
        sinceReason,
        members,
        floatingIps.get().stream().map(FloatingIp::cidr).toList(),
        owned(),
        mine.number(),
        mine.hash(),
        sync.describe(),
        sync.editRefusal().orElse("accepted"),
        sync.promoted(),
        new PairStatus.PeerStatus(
            settings.peer().getAddress().getHostAddress(),
            peerPresent,
            peerRole.configName(),
            !peerPresent ? "absent" : peerState.map(PairState::displayName).orElse("unknown"),
            peerPresent && heardFromPeer
                ? (System.nanoTime() - lastPeerMessageNanos) / 1_000_000
                : -1,
            peers.map(ConfigVersion::number).orElse(-1L),
            peers.map(ConfigVersion::hash).orElse(""),
            peerPresent ? peerOwned : List.of()),
        drift());
  }

  /**
   * After a reload: an active node adds the floating IPs that are new and removes the ones that
   * went away.
   */
  public void floatingIpsChanged(List<FloatingIp> before) {
    worker.execute(
        () -> {
          if (state != PairState.ACTIVE) {
            return;
          }
          List<FloatingIp> now = floatingIps.get();
          try {
            owner.release(before.stream().filter(ip -> !now.contains(ip)).toList());
            owner.claim(now.stream().filter(ip -> !before.contains(ip)).toList());
          } catch (IOException e) {
            log.error("pair: cannot move floating IPs after a reload: {}", e.getMessage());
          }
        });
  }

  /**
   * The pair as of the worker's last event (at least every 0.5 s while the peer speaks), with the
   * heartbeat age as of now. Never waits for the worker: during a takeover, when operators look,
   * the worker may be busy for a second with a duplicate-address probe.
   */
  public PairStatus status() {
    PairStatus s = status;
    if (s.peer().heartbeatAgeMillis() < 0) {
      return s;
    }
    return s.withHeartbeatAge((System.nanoTime() - lastPeerMessageNanos) / 1_000_000);
  }

  /** Why this node refuses a configuration edit now, and where to make it; empty = accepted. */
  public Optional<String> editRefusal() {
    return sync.editRefusal();
  }

  /** The running configuration changed here (an accepted edit): tell the peer now. */
  public void configChanged() {
    worker.execute(
        () -> {
          sync.localChanged();
          announce(false);
          refreshStatus();
        });
  }

  /**
   * Lets this secondary accept edits while the primary is down.
   *
   * @throws IllegalStateException naming why not
   */
  public void promote() throws Exception {
    runOnWorker(
        () -> {
          sync.promote();
          refreshStatus();
          return null;
        });
  }

  public PairState state() {
    return state;
  }

  /**
   * Tells the peer the pair is over and stops changing roles here; returns once the peer has left
   * (or after {@code wait}, when it has not said so).
   *
   * @return whether the peer left within {@code wait}
   */
  public boolean breakPair(java.time.Duration wait) throws Exception {
    boolean present =
        runOnWorker(
            () -> {
              leaving = true;
              if (peerPresent) {
                membership.send(
                    JSON.writeValueAsBytes(JSON.createObjectNode().put("type", BREAK_TYPE)));
              }
              return peerPresent;
            });
    if (!present) {
      return true;
    }
    try {
      peerGone.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  /** Whether the peer is in the pair now. */
  public boolean peerPresent() {
    return status.peer().present();
  }

  /**
   * Leaves the pair without touching the data plane or the addresses: the pair is over and this
   * node runs on alone as it is (an active node keeps serving its addresses).
   */
  public void detach() {
    leave(false);
  }

  /** Leaves the pair; an active node gives up its addresses first so the peer can take them. */
  @Override
  public void close() {
    leave(true);
  }

  private void leave(boolean release) {
    if (worker.isShutdown()) {
      return;
    }
    try {
      runOnWorker(
          () -> {
            leaving = true;
            if (release && state == PairState.ACTIVE) {
              gate.setServing(false);
              owner.release(floatingIps.get());
              state = PairState.PASSIVE;
            }
            return null;
          });
    } catch (Exception e) {
      log.warn("pair: leaving the pair: {}", e.getMessage());
    }
    if (membership != null) {
      membership.close();
    }
    worker.shutdownNow();
    owner.close();
  }
}
