package org.lbctl.cluster.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.sync.ConfigPush;
import org.lbctl.cluster.sync.ConfigReplica;
import org.lbctl.cluster.sync.ConfigSync;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.os.Commands;
import org.lbctl.core.status.PairStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node the pair's active or passive member and acts on it. Heartbeats, views and ping
 * answers go into {@link Liveness}; {@link RoleDecider} decides on the peer's latest announcement;
 * {@link RoleMachine} carries a change out. Every step runs on one thread, in order, so two
 * transitions never interleave; JGroups threads only hand work over.
 *
 * <p>The rules that keep two nodes from answering at once (docs/pair.md has the timelines):
 *
 * <ul>
 *   <li>Every activation takes a term above any seen, kept on disk and carried in every heartbeat;
 *       when both nodes are active, the higher term stays and the other yields at once.
 *   <li>A silent peer is taken over only once its lease has surely lapsed: it stops renewing after
 *       {@link Liveness#SELF_FENCE_NANOS} without news unless its ping targets answer.
 *   <li>A node that was frozen, or cut off, stops answering first (its fence shuts) and asks the
 *       peer: it answers again only on a heartbeat the peer wrote after hearing this node's
 *       question, and only if the peer is not active.
 *   <li>Announcements carry a sequence number: a late one never overrides a newer one.
 * </ul>
 */
public final class PairController implements AutoCloseable, org.lbctl.cluster.floating.LeaseHolder {
  private static final Logger log = LoggerFactory.getLogger(PairController.class);
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

  private static final long TICK_MILLIS = Liveness.HEARTBEAT_NANOS / 1_000_000;
  private static final long PING_EVERY_NANOS = 400_000_000L;

  private final PairSettings settings;
  private final Supplier<List<FloatingIp>> floatingIps;
  private final PingTargets pingTargets;
  private final ConfigReplica replica;
  private final ConfigSync sync;
  private final RoleMachine machine;
  private final TermStore terms;
  private final Liveness liveness;
  private final LongSupplier clock;
  private final StallWatch stall;
  private final PeerWord peer;
  private final Heartbeats heartbeats;
  private final LeaseRenewal lease;
  private final RoleJudge judge;
  private final DriftLog drift;
  private final PairStatusView statusView;
  private final Suspension suspension = new Suspension();
  // Set once the channel is up (or a script starts): decisions need a membership to stand on.
  private boolean joined;
  // A script answers the ping targets itself (see pingAnswered).
  private boolean scripted;

  private final PairWorker worker = new PairWorker();

  // Set by the worker thread; read by others for the cipher's counts.
  private volatile PairMembership membership;
  // Written by the worker only; volatile so the node's other threads read the current role.
  private volatile PairState state = PairState.PASSIVE;
  private long activeTerm;
  private boolean viewPresent;
  private boolean yielding;
  private boolean pinging;
  private long lastPingStart = Long.MIN_VALUE;
  private Instant since = Instant.now();
  private String sinceReason = "starting";
  // Set when the pair is being broken: no more role changes, whatever the views say.
  private boolean leaving;
  private Runnable onBreak = () -> {};
  private final CompletableFuture<Void> peerGone = new CompletableFuture<>();

  // Read by other threads.
  private volatile BiConsumer<String, String> onRoleChange = (what, why) -> {};

  /** What the worker last saw; the management API reads it without waiting for the worker. */
  private volatile PairStatus status;

  public PairController(
      PairSettings settings,
      ServingGate gate,
      FloatingIpOwner owner,
      Supplier<List<FloatingIp>> floatingIps,
      PingTargets pingTargets,
      ConfigReplica replica) {
    this(
        settings,
        gate,
        owner,
        Fence.NONE,
        new TermStore(Optional.empty()),
        floatingIps,
        pingTargets,
        replica);
  }

  public PairController(
      PairSettings settings,
      ServingGate gate,
      FloatingIpOwner owner,
      Fence fence,
      TermStore terms,
      Supplier<List<FloatingIp>> floatingIps,
      PingTargets pingTargets,
      ConfigReplica replica) {
    this(settings, gate, owner, fence, terms, floatingIps, pingTargets, replica, System::nanoTime);
  }

  /** With the clock of a test: scripted orders of events at chosen times. */
  PairController(
      PairSettings settings,
      ServingGate gate,
      FloatingIpOwner owner,
      Fence fence,
      TermStore terms,
      Supplier<List<FloatingIp>> floatingIps,
      PingTargets pingTargets,
      ConfigReplica replica,
      LongSupplier clock) {
    this.clock = clock;
    this.replica = replica;
    this.settings = settings;
    this.floatingIps = floatingIps;
    this.pingTargets = pingTargets;
    this.machine = new RoleMachine(gate, owner, fence);
    this.terms = terms;
    this.liveness =
        new Liveness(!pingTargets.targets().isEmpty(), clock.getAsLong(), fence.lease().toNanos());
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
    this.stall = new StallWatch(clock, this::onStall);
    this.peer = new PeerWord(clock.getAsLong());
    this.heartbeats = new Heartbeats(clock);
    this.lease = new LeaseRenewal(fence, floatingIps, stall, clock);
    this.judge = new RoleJudge(settings, liveness, pingTargets, terms, sync);
    this.drift = new DriftLog(replica, sync);
    this.statusView =
        new PairStatusView(
            settings, floatingIps, replica, sync, terms, fence, liveness, peer, clock);
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
    if (pingTargets.targets().isEmpty()) {
      log.warn(
          "pair: no ping targets: this node cannot tell a dead peer from a cut link, so a cut"
              + " leaves both nodes answering on their sides (set pair.pingTargets, such as the"
              + " gateway)");
    }
    if (!machine.fence().enabled()) {
      log.warn(
          "pair: running unfenced (pair.fencing: off): a frozen node keeps answering for its"
              + " floating IPs until the peer's announcements reach it");
    }
    worker.call(
        () -> {
          judge.awaitPeer(mode == Start.AWAIT_PEER);
          machine.fence().guard(floatingIps.get());
          if (mode == Start.KEEP_SERVING) {
            transition(PairState.ACTIVE, "paired while serving: keeps its clients");
          } else {
            machine.rollback(floatingIps.get());
          }
          return null;
        });
    // Ticking before the join: a node that keeps serving must prove itself alive while it joins.
    worker.execute(stall::start);
    worker.every(TICK_MILLIS, this::tick);
    membership =
        PairMembership.join(
            settings,
            key,
            view -> worker.execute(() -> onView(view)),
            bytes -> worker.execute(() -> onMessage(bytes)));
    PairMembership m = membership;
    heartbeats.sendTo(
        bytes -> {
          try {
            m.sendHeartbeat(bytes);
          } catch (Exception e) {
            log.debug("pair: cannot send a heartbeat: {}", e.getMessage());
          }
        });
    worker.execute(() -> joined = true);
  }

  /**
   * Runs the controller under a script instead of a channel: the caller delivers views, messages,
   * ticks and ping answers on its own thread, in the order it chooses, with the clock it gave.
   *
   * @param sent receives every heartbeat this node sends
   */
  void startScripted(Consumer<byte[]> sent) throws Exception {
    scripted = true;
    heartbeats.sendTo(sent);
    machine.fence().guard(floatingIps.get());
    machine.rollback(floatingIps.get());
    stall.start();
    joined = true;
  }

  /** Every 100 ms: notice a stall of this node, ask the ping targets, decide, send a heartbeat. */
  void tick() {
    stall.check();
    long now = clock.getAsLong();
    if (liveness.wantsPing(now)
        && (lastPingStart == Long.MIN_VALUE || now - lastPingStart >= PING_EVERY_NANOS)) {
      pingNow();
    }
    evaluate(null);
    heartbeat();
    stall.progress();
  }

  /** Asks the ping targets, off this thread; the answer comes back as a task. */
  private void pingNow() {
    if (pinging) {
      return;
    }
    pinging = true;
    lastPingStart = clock.getAsLong();
    if (scripted) {
      return; // The script answers with pingAnswered.
    }
    Commands.async(pingTargets::anyReachable)
        .whenComplete((ok, error) -> worker.execute(() -> pingAnswered(error == null && ok)));
  }

  /** The ping targets' answer to the last {@link #pingNow}. */
  void pingAnswered(boolean reachable) {
    stall.check();
    pinging = false;
    liveness.pingResult(clock.getAsLong(), reachable);
    evaluate(null);
    stall.progress();
  }

  /** Whether a ping check is under way (a script then answers it). */
  boolean pinging() {
    return pinging;
  }

  /**
   * This node's clock jumped: it was frozen (SIGSTOP, a long GC, a stunned VM). Its lease has
   * lapsed and the peer may have taken over meanwhile: stay silent, and ask.
   */
  private void onStall(long now, long gap) {
    liveness.stalled(now);
    log.warn(
        "pair: this node stalled for {} ms (its controller did not run); {}",
        gap / 1_000_000,
        state == PairState.ACTIVE
            ? "it stops answering for its floating IPs and asks the peer before it answers again"
            : "it waits a full detection time before it judges the peer silent");
    if (state == PairState.ACTIVE) {
      suspend("stalled for " + gap / 1_000_000 + " ms");
    }
  }

  private void suspend(String reason) {
    if (!suspension.begin(heartbeats.next(), reason)) {
      return;
    }
    lease.want(false);
    machine.silence();
    log.warn(
        "pair: {} stops answering for {}: {}; it answers again once the peer, having heard it,"
            + " says it is not active",
        settings.role().configName(),
        floatingIps.get(),
        reason);
    refreshStatus();
    heartbeat();
  }

  private void resume(String reason) {
    try {
      machine.answer(floatingIps.get());
    } catch (Exception e) {
      log.error("pair: cannot open the fence again: {}", e.getMessage());
      return;
    }
    suspension.end();
    lease.want(true);
    log.warn(
        "pair: {} answers for {} again: {}",
        settings.role().configName(),
        floatingIps.get(),
        reason);
    machine.reannounce(floatingIps.get());
    refreshStatus();
    heartbeat();
  }

  void onView(PairView view) {
    stall.check();
    long now = clock.getAsLong();
    boolean wasPresent = viewPresent;
    viewPresent = view.peerPresent();
    liveness.view(now, viewPresent);
    if (!viewPresent && leaving) {
      peerGone.complete(null);
    }
    boolean present = viewPresent;
    drift.around(() -> sync.peerPresent(present));
    evaluate(
        !viewPresent
            ? (wasPresent ? "the peer left the view" : "no peer in the pair")
            : view.merge() ? "a partition healed" : "the peer joined");
    if (wasPresent && !viewPresent) {
      // Crashed, or a stale suspicion? A live peer answers this at once; decide when it had time,
      // and have the ping targets' answer by then.
      heartbeat(true);
      if (liveness.wantsPing(now)) {
        pingNow();
      }
      if (!scripted) {
        worker.after(
            Liveness.CRASH_NANOS + 2_000_000L,
            () -> {
              stall.check();
              evaluate(null);
              stall.progress();
            });
      }
    } else {
      heartbeat();
    }
    if (view.merge() && state == PairState.ACTIVE && !suspension.on()) {
      machine.reannounce(floatingIps.get());
    }
    stall.progress();
  }

  void onMessage(byte[] bytes) {
    stall.check();
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
    stall.progress();
  }

  private void onConfig(ConfigPush push) {
    drift.around(
        () -> {
          List<FloatingIp> before = floatingIps.get();
          sync.onPush(push);
          if (!floatingIps.get().equals(before)) {
            floatingIpsMoved(before);
          }
        });
    heartbeat();
    evaluate("took the peer's configuration");
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
    long now = clock.getAsLong();
    if (!peer.take(a, now)) {
      return; // Late: a newer announcement was already taken.
    }
    liveness.heard(now, a.leaseMillis() * 1_000_000L);
    judge.awaitPeer(false);
    terms.saw(a.term());
    if (a.probe()) {
      heartbeat();
    }
    drift.around(() -> sync.onPeerVersion(a.config()));
    if (a.state() == PairState.ACTIVE) {
      yielding = false;
    }
    if (suspension.on()) {
      if (!heartbeats.answeredFrom(a, suspension.from())) {
        return; // Written before the peer heard this node's question: says nothing of now.
      }
      if (a.state() == PairState.ACTIVE) {
        suspension.end();
        transition(
            PairState.PASSIVE,
            "the peer is active (term " + a.term() + ") after this node " + suspension.reason());
        return;
      }
      resume("the peer, having heard this node, is " + a.state().displayName());
    }
    if (a.handover()
        && state == PairState.PASSIVE
        && a.term() >= terms.current()
        && !sync.behind()) {
      transition(PairState.ACTIVE, "the peer handed the active role over");
      return;
    }
    evaluate("the peer is " + a.state().displayName());
  }

  /** Decides on everything known now, and acts. */
  private void evaluate(String reason) {
    if (leaving || !joined) {
      refreshStatus();
      return;
    }
    long now = clock.getAsLong();
    boolean present = liveness.peerPresent(now);
    if (state == PairState.ACTIVE) {
      if (!suspension.on() && !liveness.mayHoldLease(now)) {
        suspend(
            "no word from the peer for "
                + liveness.silence(now) / 1_000_000
                + " ms and none of the ping targets "
                + pingTargets.targets()
                + " answers");
      } else if (suspension.on() && !present && liveness.peerSurelySilent(now)) {
        if (liveness.networkSettled(now)) {
          resume(
              "the peer is silent for "
                  + liveness.silence(now) / 1_000_000
                  + " ms and the network answers");
        } else {
          // Cut off for longer than the takeover time: the peer holds the addresses by now.
          transition(
              PairState.PASSIVE,
              "cut off: no word from the peer for "
                  + liveness.silence(now) / 1_000_000
                  + " ms and the network does not answer; the peer has taken over by now");
        }
      }
    }
    Optional<RoleJudge.Verdict> verdict = Optional.empty();
    if (!present) {
      verdict = judge.alone(state, now, reason);
    } else if (!suspension.on()) {
      boolean heardLately =
          peer.said()
              .filter(
                  a -> heartbeats.answeredSince(a, clock.getAsLong() - Liveness.ECHO_FRESH_NANOS))
              .isPresent();
      verdict = judge.withPeer(state, activeTerm, peer, yielding, heardLately, reason);
    }
    verdict.ifPresent(v -> transition(v.next(), v.why()));
    refreshStatus();
  }

  private void transition(PairState next, String reason) {
    if (leaving) {
      log.info("pair: leaving the pair; not becoming {} ({})", next.displayName(), reason);
      return;
    }
    List<FloatingIp> ips = floatingIps.get();
    RoleMachine.Took took;
    long term = activeTerm;
    try {
      if (next == PairState.ACTIVE) {
        term = terms.next();
        took = machine.activate(ips);
        lease.want(true);
      } else {
        lease.want(false);
        took = machine.deactivate(ips);
      }
    } catch (Exception e) {
      if (next == PairState.ACTIVE) {
        log.error("pair: cannot become active ({}): {}; staying passive", reason, e.getMessage());
        lease.want(false);
        machine.rollback(ips);
        return;
      }
      // The fence is shut first, so whatever failed after it, this node answers for nothing.
      log.error(
          "pair: giving the active role up ({}) failed half-way: {}; the floating IPs stay"
              + " silent behind the fence, remove them with 'lbctl cleanup'",
          reason,
          e.getMessage());
      took = new RoleMachine.Took(0, 0);
    }
    log.warn(
        "pair: {} is now {}{}: {} (floating IPs {}; listeners {} ms, addresses {} ms)",
        settings.role().configName(),
        next.displayName().toUpperCase(Locale.ROOT),
        next == PairState.ACTIVE ? " at term " + term : "",
        reason,
        ips,
        took.listenersMillis(),
        took.addressesMillis());
    state = next;
    activeTerm = next == PairState.ACTIVE ? term : 0;
    suspension.end();
    since = Instant.now();
    sinceReason = reason;
    stall.progress();
    refreshStatus();
    heartbeat();
    onRoleChange.accept(
        settings.role().configName() + " is now " + next.displayName().toUpperCase(Locale.ROOT),
        reason);
  }

  /** Tells {@code listener} of every change of this node's state, with the reason. */
  public void onRoleChange(BiConsumer<String, String> listener) {
    this.onRoleChange = listener;
  }

  private void heartbeat() {
    heartbeat(false);
  }

  private void heartbeat(boolean probe) {
    if (!joined) {
      return;
    }
    heartbeats.send(
        new Heartbeats.Self(
            settings.role(),
            state,
            yielding && state == PairState.PASSIVE,
            replica.version(),
            owned(),
            state == PairState.ACTIVE ? activeTerm : terms.current(),
            machine.fence().lease().toMillis(),
            state == PairState.ACTIVE && !suspension.on()),
        peer,
        probe);
  }

  /**
   * Hands the active role to the peer on purpose (the guides' manual failover).
   *
   * @throws IllegalStateException when this node is not active or has no peer to hand over to
   */
  public void failover() throws Exception {
    worker.call(
        () -> {
          if (state != PairState.ACTIVE) {
            throw new IllegalStateException(
                "this node is " + state.displayName() + "; run failover on the active node");
          }
          if (!liveness.peerPresent(clock.getAsLong())) {
            throw new IllegalStateException("the peer is not in the pair; nobody to hand over to");
          }
          yielding = true;
          // The handover names the term given up: the peer takes the next one.
          transition(PairState.PASSIVE, "failover requested by the operator");
          return null;
        });
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
    PairView v = membership == null ? null : membership.view();
    return statusView.of(
        new PairStatusView.Side(
            state,
            since,
            sinceReason,
            activeTerm,
            suspension,
            joined,
            v == null ? List.of() : v.members(),
            owned(),
            drift.drift()));
  }

  /**
   * After a reload: an active node adds the floating IPs that are new and removes the ones that
   * went away; every node guards the new set.
   */
  public void floatingIpsChanged(List<FloatingIp> before) {
    worker.execute(() -> floatingIpsMoved(before));
  }

  private void floatingIpsMoved(List<FloatingIp> before) {
    stall.check();
    List<FloatingIp> now = floatingIps.get();
    try {
      if (state == PairState.ACTIVE) {
        machine.moved(before, now, !suspension.on());
      } else {
        machine.fence().guard(now);
      }
    } catch (Exception e) {
      log.error("pair: cannot move floating IPs after a reload: {}", e.getMessage());
    }
  }

  /**
   * The pair as of the worker's last event (at least every 0.1 s), with the heartbeat age as of
   * now. Never waits for the worker: during a takeover, when operators look, the worker may be
   * busy.
   */
  public PairStatus status() {
    PairStatus s = status;
    if (s.peer().heartbeatAgeMillis() < 0) {
      return s;
    }
    return s.withHeartbeatAge(peer.ageMillis(clock.getAsLong()));
  }

  /**
   * Whether the fence's lease should be renewed now: this node is active and trusts itself, and its
   * controller has run within the last {@code withinNanos} (a wedged controller renews nothing).
   */
  @Override
  public boolean leaseWanted(long withinNanos) {
    return lease.wanted(withinNanos);
  }

  /**
   * Renews the fence's lease if it is wanted (see {@link #leaseWanted}); checked and renewed under
   * the fence's lock, so a renewal never lands after the controller silenced the fence.
   *
   * @return whether it renewed
   */
  @Override
  public boolean renewLease(long withinNanos) throws Exception {
    return lease.renew(withinNanos);
  }

  /** Datagrams on the pair channel the cipher refused: {forged or altered, replayed}. */
  public long[] refusedByCipher() {
    PairMembership m = membership;
    return m == null ? new long[2] : m.refused();
  }

  /** Whether the controller has made progress within the last {@code withinNanos}. */
  @Override
  public boolean alive(long withinNanos) {
    return stall.alive(withinNanos);
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
          heartbeat();
          refreshStatus();
        });
  }

  /**
   * Lets this secondary accept edits while the primary is down.
   *
   * @throws IllegalStateException naming why not
   */
  public void promote(boolean force) throws Exception {
    worker.call(
        () -> {
          long now = clock.getAsLong();
          if (!force
              && !liveness.peerPresent(now)
              && liveness.heardEver()
              && !liveness.lostByCrash()) {
            throw new IllegalStateException(
                "the primary went silent "
                    + liveness.silence(now) / 1_000 / 1_000_000
                    + " s ago without leaving the pair: it may be running behind a partition and"
                    + " taking edits of its own, and the two versions would diverge. Promote once"
                    + " it is known to be down (stopped, or its host off) with --force");
          }
          sync.promote(!liveness.peerPresent(now));
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
        worker.call(
            () -> {
              leaving = true;
              if (viewPresent) {
                membership.send(
                    JSON.writeValueAsBytes(JSON.createObjectNode().put("type", BREAK_TYPE)));
              }
              return viewPresent;
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
   * node runs on alone as it is (an active node keeps serving its addresses, unfenced).
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
    if (worker.stopped()) {
      return;
    }
    try {
      worker.call(
          () -> {
            leaving = true;
            lease.want(false);
            if (release && state == PairState.ACTIVE) {
              machine.deactivate(floatingIps.get());
              state = PairState.PASSIVE;
              // Tell the peer now, so it takes over without waiting for the view.
              yielding = true;
              heartbeat();
            }
            return null;
          });
    } catch (Exception e) {
      log.warn("pair: leaving the pair: {}", e.getMessage());
    }
    if (membership != null) {
      membership.close();
    }
    worker.stop();
    machine.fence().close();
    machine.close();
  }
}
