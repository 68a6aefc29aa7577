package org.lbctl.cluster.groups;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
  private final List<String> configured;
  private final GroupHost host;
  private final LongSupplier clock;
  private final StallWatch stall;
  private final GroupLease lease;
  private final MemberSilence silence;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-groups");
            t.setDaemon(true);
            return t;
          });
  // Worker thread only.
  private List<String> live = List.of();
  private final Map<String, Set<String>> held = new HashMap<>();
  // What members that left the view last said they held, until they surely answer for nothing.
  private final Map<String, Set<String>> gone = new TreeMap<>();
  private final Set<String> mine = new TreeSet<>();
  private final Set<String> waitingFor = new TreeSet<>();
  private Consumer<byte[]> broadcast = bytes -> {};
  private volatile Set<String> holding = Set.of();
  private final java.util.concurrent.atomic.AtomicLong steps =
      new java.util.concurrent.atomic.AtomicLong();

  /** Unfenced, with fixed rules: for tests that hold no addresses. */
  public GroupController(
      String self, List<GroupPlacement.Rule> rules, List<String> configured, GroupHost host) {
    this(self, () -> rules, configured, host, Fence.NONE, System::nanoTime);
  }

  /**
   * @param rules the placement rules of the running configuration, read at every decision
   * @param configured the members the configuration names, this node among them
   * @param fence this node's fence; its lease is renewed through {@link #lease}
   * @throws IllegalArgumentException with fewer than three members: two cannot tell a dead member
   *     from a cut link by counting (a pair asks its ping targets instead)
   */
  public GroupController(
      String self,
      Supplier<List<GroupPlacement.Rule>> rules,
      List<String> configured,
      GroupHost host,
      Fence fence,
      LongSupplier clock) {
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
    this.host = host;
    this.clock = clock;
    this.stall = new StallWatch(clock, this::onStall);
    this.lease = new GroupLease(fence, host::addresses, stall, clock, () -> !holding.isEmpty());
    this.silence = new MemberSilence(self, configured);
  }

  /** Starts deciding; {@code broadcast} reaches every other member (reliable, in order). */
  public void start(Consumer<byte[]> broadcast) {
    worker.execute(
        () -> {
          this.broadcast = broadcast;
          stall.start();
        });
    worker.scheduleWithFixedDelay(
        () ->
            step(
                () -> {
                  tell();
                  decide(); // retries a release that failed, and takes what a lapsed lease freed
                }),
        TICK_MILLIS,
        TICK_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** A new view, from a JGroups thread. */
  public void onView(ClusterMembership.View view) {
    run(
        () -> {
          long now = clock.getAsLong();
          for (String m : List.copyOf(held.keySet())) {
            if (!view.members().contains(m)) {
              gone.put(m, held.remove(m));
            }
          }
          view.members().forEach(gone::remove);
          live = view.members();
          silence.view(live, now);
          // Whoever just joined must hear what this node holds before it may take anything.
          tell();
          decide();
        });
  }

  /** A member's message, from a JGroups thread. */
  public void onMessage(String from, byte[] bytes) {
    run(
        () -> {
          Optional<GroupWord> word;
          try {
            word = GroupWord.decode(bytes);
          } catch (java.io.IOException e) {
            log.warn("groups: ignoring a message from {}: {}", from, e.getMessage());
            return;
          }
          if (word.isEmpty() || !configured.contains(from)) {
            return;
          }
          held.put(from, word.get().groups());
          silence.heard(from, clock.getAsLong(), word.get().leaseMillis() * 1_000_000L);
          lease.majorityHeardUntil(silence.majorityHeardUntil());
          decide();
        });
  }

  /** The configuration changed (groups or their rules): decide again. */
  public void reconsider() {
    run(this::decide);
  }

  /** Hands {@code step} to the worker; after close, nothing is decided any more. */
  private void run(Runnable step) {
    try {
      worker.execute(() -> step(step));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("groups: closed; ignoring a late event");
    }
  }

  /** Every step notices a freeze of this node first, and marks progress after. */
  private void step(Runnable step) {
    stall.check();
    step.run();
    stall.progress();
    steps.incrementAndGet();
  }

  /** Steps run so far: lets a test with its own clock wait for the worker to see a new time. */
  long steps() {
    return steps.get();
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
    silence.stalled(now);
    held.clear();
    log.error(
        "groups: {} stalled for {} ms (its controller did not run); it gives up {} and waits to"
            + " hear every member again",
        self,
        gap / 1_000_000,
        mine.isEmpty() ? "nothing" : mine);
    releaseAll();
    holding = Set.copyOf(mine);
  }

  private void decide() {
    long now = clock.getAsLong();
    Map<String, Set<String>> word = new HashMap<>(held);
    word.put(self, Set.copyOf(mine));
    boolean allSpoke = live.stream().filter(configured::contains).allMatch(word::containsKey);
    GroupOwnership.Plan plan = GroupOwnership.plan(self, rules.get(), configured, live, word);
    boolean changed = false;
    for (String g : plan.release()) {
      try {
        host.release(g);
      } catch (Exception e) {
        // Still held as far as anyone knows: the others must not take it. Tried again each tick.
        log.error(
            "groups: {} cannot release {}: {}; it keeps saying it holds it and tries again",
            self,
            g,
            e.getMessage());
        continue;
      }
      mine.remove(g);
      changed = true;
      log.warn(
          "groups: {} released {} ({})",
          self,
          g,
          plan.owners().isEmpty()
              ? "no quorum: it sees " + live + " of the members " + configured
              : "it belongs on " + plan.owners().get(g));
    }
    if (allSpoke) {
      Set<String> blocked = stillAnswered(now);
      for (String g : plan.take()) {
        if (blocked.contains(g)) {
          continue;
        }
        try {
          host.take(g);
          mine.add(g);
          changed = true;
          log.warn("groups: {} took {} (members {})", self, g, live);
        } catch (Exception e) {
          log.error("groups: {} cannot take {}: {}", self, g, e.getMessage());
        }
      }
    }
    if (changed) {
      holding = Set.copyOf(mine);
      tell();
    }
  }

  /**
   * The groups that members out of the view may still answer for: their lease may run. A member
   * that surely answers for nothing any more is forgotten.
   */
  private Set<String> stillAnswered(long now) {
    Set<String> blocked = new LinkedHashSet<>();
    for (String m : List.copyOf(gone.keySet())) {
      if (silence.surelySilent(m, now)) {
        Set<String> groups = gone.remove(m);
        if (waitingFor.remove(m) || silence.crashed(m)) {
          log.warn(
              "groups: {} {}; its groups {} may be taken",
              m,
              silence.crashed(m)
                  ? "left as a crashed process does"
                  : "stayed silent past its lease",
              groups);
        }
      } else {
        blocked.addAll(gone.get(m));
        if (!gone.get(m).isEmpty() && !silence.crashed(m) && waitingFor.add(m)) {
          log.warn(
              "groups: {} left the view after a silence and may still answer for {}: waiting {} ms"
                  + " from its last word for its lease to lapse",
              m,
              gone.get(m),
              silence.takeoverSilence(m) / 1_000_000);
        }
      }
    }
    return blocked;
  }

  private void tell() {
    try {
      broadcast.accept(GroupWord.of(mine, lease.leaseMillis()));
    } catch (Exception e) {
      log.debug("groups: cannot tell the members: {}", e.getMessage());
    }
  }

  private void releaseAll() {
    for (String g : List.copyOf(mine)) {
      try {
        host.release(g);
        mine.remove(g);
      } catch (Exception e) {
        log.error(
            "groups: {} cannot release {}: {}; it stays silent behind the fence, remove its"
                + " addresses with 'lbctl cleanup'",
            self,
            g,
            e.getMessage());
      }
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
    try {
      worker
          .submit(
              () -> {
                releaseAll();
                holding = Set.copyOf(mine);
                tell();
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("groups: leaving: {}", e.getMessage());
    }
    worker.shutdownNow();
  }
}
