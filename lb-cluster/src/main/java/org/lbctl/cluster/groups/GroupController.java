package org.lbctl.cluster.groups;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.members.ClusterMembership;
import org.lbctl.cluster.pair.StallWatch;
import org.lbctl.cluster.placement.GroupOwnership;
import org.lbctl.cluster.placement.GroupPlacement;
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
  private final Supplier<List<GroupPlacement.Rule>> rules;
  // Worker thread only: the member list changes as members join and leave.
  private List<String> configured;
  private final LongSupplier clock;
  private final Supplier<GroupWord.About> about;
  private final Departures departures;
  private final Holdings held;
  private final StallWatch stall;
  private final GroupLease lease;
  private final MemberWords words;
  private final GroupWorker worker = new GroupWorker(this::step);
  // Worker thread only.
  private List<String> live = List.of();
  private long decideAt = Long.MIN_VALUE;
  private boolean closing;
  // Grows with every freeze of this node (see GroupWord).
  private long epoch;
  private Consumer<byte[]> broadcast = bytes -> {};
  private volatile Set<String> holding = Set.of();
  private volatile GroupSnapshot snapshot;

  /** Unfenced, with fixed rules: for tests that hold no addresses. */
  public GroupController(
      String self, List<GroupPlacement.Rule> rules, List<String> configured, GroupHost host) {
    this(
        self,
        () -> rules,
        configured,
        host,
        Fence.NONE,
        System::nanoTime,
        () -> GroupWord.About.NONE,
        CrashProbe.TRUST_THE_VIEW);
  }

  /**
   * @param rules the placement rules of the running configuration, read at every decision
   * @param configured the members the configuration names, this node among them
   * @param fence this node's fence; its lease is renewed through {@link #lease}
   * @param about what this node runs, told to the others: a member whose group layout differs
   *     counts as not having spoken, so nothing is taken while two layouts are live
   * @throws IllegalArgumentException with fewer than three members: two cannot tell a dead member
   *     from a cut link by counting (a pair asks its ping targets instead)
   */
  public GroupController(
      String self,
      Supplier<List<GroupPlacement.Rule>> rules,
      List<String> configured,
      GroupHost host,
      Fence fence,
      LongSupplier clock,
      Supplier<GroupWord.About> about,
      CrashProbe probe) {
    if (configured.size() < 3) {
      throw new IllegalArgumentException(
          "VIP groups need a cluster of three members or more (got "
              + configured
              + "): two cannot outvote a cut link, so a pair runs instead");
    }
    if (!configured.contains(self)) {
      throw new IllegalArgumentException(
          "this node ('" + self + "') is not among the members " + configured);
    }
    this.self = self;
    this.rules = rules;
    this.configured = List.copyOf(configured);
    this.held = new Holdings(self, host);
    this.clock = clock;
    this.about = about;
    this.departures = new Departures(probe);
    this.stall = new StallWatch(clock, this::onStall);
    this.lease = new GroupLease(fence, host::guarded, stall, clock);
    this.words = new MemberWords(self, configured);
  }

  /** Starts deciding; {@code broadcast} reaches every other member (reliable, in order). */
  public void start(Consumer<byte[]> broadcast) {
    worker.runBare(
        () -> {
          this.broadcast = broadcast;
          stall.start();
        });
    worker.every(
        TICK_MILLIS,
        () -> {
          decide(); // retries a release that failed, and takes what a lapsed lease freed
          tell(); // after deciding: never the old holdings with a new layout
        });
  }

  /** A new view, from a JGroups thread. */
  public void onView(ClusterMembership.View view) {
    worker.run(
        () -> {
          live = view.members();
          for (String m : words.view(live, clock.getAsLong())) {
            departures.ask(m, this::probed);
          }
          // Whoever just joined must hear what this node holds before it may take anything.
          tell();
          decide();
        });
  }

  /** A member's message, from a JGroups thread. */
  public void onMessage(String from, byte[] bytes) {
    // When it arrived, not when the worker got to it: a backlog must not stretch the lease.
    long arrived = clock.getAsLong();
    worker.run(
        () -> {
          Optional<GroupWord> word;
          try {
            word = GroupWord.decode(bytes);
          } catch (java.io.IOException e) {
            log.warn("groups: ignoring a message from {}: {}", from, e.getMessage());
            return;
          }
          // A word from a member out of the view may predate its leaving: it must speak again. A
          // member in the view but no longer configured (it is leaving) is still heard: what it
          // holds is not taken until it says it let go or its silence proves it.
          if (word.isEmpty() || !live.contains(from)) {
            return;
          }
          words.heard(from, word.get(), arrived);
          lease.majorityHeardUntil(words.majorityHeardUntil());
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
          lease.majorityHeardUntil(words.majorityHeardUntil());
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
            self, configured, live, held.mine(), words, about.get(), clock.getAsLong());
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

  /**
   * This node's worker did not run for {@code gap}: frozen (SIGSTOP, a long GC, a stunned VM). The
   * others may have taken its groups meanwhile, so it goes silent at once, gives every group up,
   * and waits to hear every member again before it takes anything.
   */
  private void onStall(long now, long gap) {
    try {
      lease.shut();
    } catch (java.io.IOException e) {
      log.error("groups: cannot shut the fence after a stall: {}", e.getMessage());
    }
    words.stalled(now);
    epoch++;
    log.error(
        "groups: {} stalled for {} ms (its controller did not run); it gives up {} and waits to"
            + " hear every member again",
        self,
        gap / 1_000_000,
        held.mine().isEmpty() ? "nothing" : held.mine());
    held.releaseAll("it stalled");
    holding = Set.copyOf(held.mine());
    tell(); // the others echo the new epoch: only then do their words count again
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
    Set<String> mine = held.mine();
    Map<String, Set<String>> word = words.word(mine);
    String layout = about.get().layout();
    boolean allSpoke =
        live.stream().filter(configured::contains).allMatch(m -> words.spoke(m, layout, epoch));
    List<GroupPlacement.Rule> current = rules.get();
    GroupOwnership.Plan plan = GroupOwnership.plan(self, current, configured, live, word);
    boolean changed = false;
    Set<String> release = new LinkedHashSet<>(plan.release());
    // A group the configuration no longer has belongs nowhere.
    mine.stream()
        .filter(g -> current.stream().noneMatch(r -> r.group().equals(g)))
        .forEach(release::add);
    for (String g : release) {
      changed |=
          held.release(
              g,
              plan.owners().isEmpty()
                  ? "no quorum: it sees " + live + " of the members " + configured
                  : plan.owners().containsKey(g)
                      ? "it belongs on " + plan.owners().get(g)
                      : "the configuration no longer has it");
    }
    if (allSpoke) {
      Set<String> blocked = words.stillAnswered(now);
      for (String g : plan.take()) {
        if (blocked.contains(g)) {
          continue;
        }
        changed |= held.take(g, live);
      }
    }
    if (changed) {
      holding = Set.copyOf(mine);
      tell();
    }
    decideAgainAt(words.nextRelease());
  }

  /**
   * Decides again the moment a departed member's groups may be taken, rather than at the next tick,
   * which would add up to 200 ms to a takeover.
   */
  private void decideAgainAt(long at) {
    if (at == Long.MAX_VALUE) {
      return;
    }
    long now = clock.getAsLong();
    if (decideAt != Long.MIN_VALUE && decideAt - now >= 0 && decideAt - at <= 0) {
      return; // one is due already, no later than this
    }
    decideAt = at;
    worker.after(Math.max(0, at - now) + 1_000_000L, this::decide);
  }

  private void tell() {
    try {
      broadcast.accept(
          GroupWord.of(held.mine(), lease.leaseMillis(), about.get(), epoch, words.epochs()));
    } catch (Exception e) {
      log.debug("groups: cannot tell the members: {}", e.getMessage());
    }
  }

  /** The groups this node holds now. */
  public Set<String> holding() {
    return holding;
  }

  /** The lease this controller keeps running while it holds groups and hears a majority. */
  public LeaseHolder lease() {
    return lease;
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
  }
}
