package org.lbctl.cluster.groups;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.members.ClusterMembership;
import org.lbctl.cluster.placement.GroupOwnership;
import org.lbctl.cluster.placement.GroupPlacement;
import org.lbctl.cluster.placement.Quorum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves VIP groups on and off this node as the cluster's view and its members' word say. Every
 * member tells the others which groups it holds, on every change and five times a second; from the
 * live members and what they hold, {@link GroupOwnership} says what to take and what to release.
 *
 * <p>A member that has not yet said what it holds may hold anything: until every live member has
 * spoken, this node takes nothing (a joining node catches up before it may own anything). A member
 * that left the view keeps its groups until it surely answers for nothing ({@link MemberSilence}):
 * at once after its process died, else once its fence lease has lapsed. This node renews its own
 * lease only while it hears a majority and its worker runs; after a freeze it shuts its fence and
 * gives every group up before anything else. Every step runs on one thread, in order.
 */
public final class GroupController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupController.class);
  static final long TICK_MILLIS = 200;

  private final String self;
  // Worker thread only: the member list changes as members join and leave.
  private List<String> configured;
  private final LongSupplier clock;
  private final Supplier<GroupWord.About> about;
  private final Departures departures;
  private final Holdings held;
  private final StallWatch stall;
  private final GroupLease lease;
  private final MemberWords words;
  private final Hearing hearing;
  private final Decisions decisions;
  private final GroupWorker worker = new GroupWorker(this::step);
  private final DecideTimer timer = new DecideTimer(worker, this::decide);
  // Worker thread only.
  // Written on the worker only; read elsewhere as a whole (an immutable list).
  private volatile List<String> live = List.of();
  private boolean closing;
  private final Freezes freezes;
  private final Suspicions suspicions;
  private Speaker speaker = Speaker.SILENT;
  // When this controller came to be: views may arrive before start().
  private final long startedAt;
  private final HandOvers yielding = new HandOvers();
  private volatile Set<String> holding = Set.of();
  private volatile GroupSnapshot snapshot;

  /**
   * @param rules the placement rules of the running configuration, read at every decision
   * @param configured the members the configuration names, this node among them
   * @param fence this node's fence; its lease is renewed through {@link #lease}
   * @param about what this node runs, told to the others: a member whose group layout differs
   *     counts as not having spoken, so nothing is taken while two layouts are live
   * @param witness for two members (a pair): the network, which lets one act without the other;
   *     {@link NetworkWitness#NONE} for three or more
   * @throws IllegalArgumentException with one member, or two without a witness
   */
  public GroupController(
      String self,
      Supplier<List<GroupPlacement.Rule>> rules,
      List<String> configured,
      GroupHost host,
      Fence fence,
      LongSupplier clock,
      Supplier<GroupWord.About> about,
      CrashProbe probe,
      NetworkWitness witness) {
    Quorum.requireWorkable(self, configured, witness != NetworkWitness.NONE);
    this.self = self;
    this.configured = List.copyOf(configured);
    this.held = new Holdings(self, host);
    this.clock = clock;
    this.about = about;
    this.departures = new Departures(probe);
    this.stall = new StallWatch(clock, this::onStall);
    this.lease =
        new GroupLease(
            fence,
            host::guarded,
            stall,
            clock,
            () -> worker.run(() -> held.announceAll("its lease runs again after a lapse")));
    this.words = new MemberWords(self, configured);
    this.freezes = new Freezes(self, lease, words, held);
    this.suspicions = new Suspicions(self, departures, worker, () -> live, this::view);
    this.hearing = new Hearing(witness);
    this.decisions = new Decisions(self, held, words, hearing, about, rules);
    this.startedAt = clock.getAsLong();
  }

  /** Starts deciding; {@code broadcast} reaches every other member (reliable, in order). */
  public void start(Consumer<byte[]> broadcast) {
    start(broadcast, (member, bytes) -> {});
  }

  /**
   * ... and {@code direct} reaches one member, also out of the view: each word goes that way too to
   * a configured member the view lacks, so it knows this node lives.
   */
  public void start(
      Consumer<byte[]> broadcast, java.util.function.BiConsumer<String, byte[]> direct) {
    worker.runBare(
        () -> {
          this.speaker = new Speaker(self, broadcast, direct);
          stall.start();
        });
    worker.every(
        TICK_MILLIS,
        () -> {
          hearing.askIfPeerQuiet(
              self, configured, live, words, clock.getAsLong(), this::networkAnswered);
          decide(); // retries a release that failed, and takes what a lapsed lease freed
          tell(); // after deciding: never the old holdings with a new layout
        });
  }

  /** A new view, from a JGroups thread. */
  public void onView(ClusterMembership.View view) {
    worker.run(() -> view(view.members(), null));
  }

  /**
   * The failure detectors suspect {@code member}, from a JGroups thread: see {@link Suspicions}.
   */
  public void onSuspect(String member) {
    suspicions.suspect(member);
  }

  /** A view; {@code gone}, when not null, left it with its process known gone: not asked again. */
  private void view(List<String> members, String gone) {
    live = members;
    for (String m : words.view(live, clock.getAsLong())) {
      if (m.equals(gone)) {
        words.probed(m, true);
        log.info("groups: {} left the view while heard; its host says its process is gone", m);
      } else {
        departures.ask(m, this::probed);
      }
    }
    hearing.askIfPeerQuiet(self, configured, live, words, clock.getAsLong(), this::networkAnswered);
    // Whoever just joined must hear what this node holds before it may take anything.
    tell();
    decide();
  }

  /** A member's message, from a JGroups thread. */
  public void onMessage(String from, byte[] bytes) {
    // When it arrived, not when the worker got to it: a backlog must not stretch the lease.
    long arrived = clock.getAsLong();
    worker.run(
        () -> {
          if (!words.intake(from, bytes, arrived, live, configured)) {
            lease.majorityHeardUntil(hearing.until(configured, words));
            return;
          }
          lease.majorityHeardUntil(hearing.until(configured, words));
          decide();
        });
  }

  /**
   * The members changed (one joined or left): quorum and placement count {@code next} from now on.
   * The caller checks the list (three or more, this node among them).
   */
  public void members(List<String> next) {
    worker.run(
        () -> {
          configured = List.copyOf(next);
          words.members(configured);
          lease.majorityHeardUntil(hearing.until(configured, words));
          decide();
          tell();
        });
  }

  /** The configuration changed (groups or their rules): the held groups follow it, then decide. */
  public void reconsider() {
    worker.run(
        () -> {
          // A held group whose addresses changed is taken again through the checks (every member
          // must run the new layout first).
          held.follow();
          holding = Set.copyOf(held.mine());
          decide();
          tell();
        });
  }

  /** Every step notices a freeze of this node first, and marks progress after. */
  private void step(Runnable step) {
    stall.check();
    step.run();
    stall.progress();
    snapshot =
        GroupSnapshot.of(
            self,
            configured,
            live,
            held.mine(),
            words,
            about.get(),
            clock.getAsLong(),
            hearing.networkAnswers(clock.getAsLong()));
  }

  /** The latest view of the cluster from this node; refreshed at every step. */
  public GroupSnapshot status() {
    GroupSnapshot s = snapshot;
    return s == null ? GroupSnapshot.NONE : s;
  }

  /** Steps run so far: lets a test with its own clock wait for the worker to see a new time. */
  long steps() {
    return worker.steps();
  }

  /** This node's worker did not run for {@code gap}: see {@link Freezes}. */
  private void onStall(long now, long gap) {
    freezes.stalled(now, gap);
    holding = Set.copyOf(held.mine());
    tell(); // the others echo the new epoch: only then do their words count again
  }

  /** The network answered (or not) a pair's question, back on the worker. */
  private void networkAnswered() {
    worker.run(
        () -> {
          lease.majorityHeardUntil(hearing.until(configured, words));
          decide();
        });
  }

  /** A probe's answer about a member that left the view while heard, back on the worker. */
  private void probed(String member, boolean gone) {
    worker.run(
        () -> {
          words.probed(member, gone);
          log.info(
              "groups: {} left the view while heard; its host says its process is {}",
              member,
              gone ? "gone" : "not known to be gone (it waits out its lease)");
          decide();
        });
  }

  private void decide() {
    if (closing) {
      return;
    }
    long now = clock.getAsLong();
    if (decisions.decide(
        now, configured, live, freezes.epoch(), now - startedAt, yielding.groups())) {
      holding = Set.copyOf(held.mine());
      tell();
    }
    yielding.settle(self, held.mine(), words.word(held.mine()), decisions.rules());
    held.settleContests(words.word(held.mine()));
    // The moment a departed member's groups may be taken, rather than at the next tick.
    timer.decideBy(words.nextRelease(), clock.getAsLong());
  }

  /**
   * Hands every group this node holds to the others (an operator's failover): it releases them, and
   * every member places them among the others until one of them holds each. Without failback they
   * stay there; with it, this node keeps out of them while another member lives, rather than taking
   * them straight back.
   *
   * @return the groups handed over
   * @throws IllegalStateException when this node holds nothing, or no other member is in the view
   */
  public Set<String> handOver() throws Exception {
    return worker.call(
        () -> {
          Set<String> mine = yielding.start(self, held.mine(), live, configured);
          tell();
          decide();
          return mine;
        });
  }

  /** Tells {@code listener}, on the controller's thread, of every group taken or released. */
  public void onHoldingsChange(HoldingsChange listener) {
    held.onChange(listener);
  }

  private void tell() {
    speaker.say(
        held.mine(),
        lease.leaseMillis(),
        about.get(),
        freezes.epoch(),
        words,
        yielding.groups(),
        configured,
        live);
  }

  /**
   * The members this controller counts as live: the view, less a suspected member whose process is
   * gone (see {@link Suspicions}) until the view agrees.
   */
  public List<String> live() {
    return live;
  }

  /** The groups this node holds now. */
  public Set<String> holding() {
    return holding;
  }

  /** The lease this controller keeps running while it holds groups and hears a majority. */
  public LeaseHolder lease() {
    return lease;
  }

  /** Stops deciding and holds on to what it holds (a pair broken: this node runs on alone). */
  public void detach() {
    worker.stop(() -> closing = true);
    departures.close();
    hearing.close();
  }

  /** Releases every group this node holds, then stops. */
  @Override
  public void close() {
    worker.stop(
        () -> {
          closing = true;
          held.releaseAll("this node leaves the cluster");
          holding = Set.copyOf(held.mine());
          tell();
        });
    departures.close();
    hearing.close();
  }
}
