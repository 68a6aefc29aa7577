package org.lbctl.cluster.pair;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.cluster.sync.MemoryReplica;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;

/**
 * Two real {@link PairController}s on one simulated clock, joined by a simulated link: heartbeats
 * that take a little time, ping targets that answer only a node whose link is up (a failed ping
 * takes its full 0.5 s), JGroups views that drop a silent peer and merge it back, takeovers that
 * keep a node's worker busy while its rules go in, and fences with a 1 s lease renewed the way the
 * node's self-check renews them. It counts the time during which both nodes answer for the floating
 * addresses where a client can see them (a cut-off node answers nobody).
 *
 * <p>Deterministic for a seed: a failure it finds can be replayed and stepped through.
 */
final class PairSimulation implements AutoCloseable {
  static final long MS = 1_000_000L;
  private static final long LEASE = 1000 * MS;
  private static final long RENEW_EVERY = 200 * MS;
  private static final long RENEW_WITHIN = 600 * MS;

  private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final Random random;
  private final long takeoverNanos;
  private final long releaseNanos;
  private long order;
  final Sim[] nodes = new Sim[2];
  private long dualNanos;
  private long dualMoments;
  private long dualSince = -1;
  private final List<String> log = new ArrayList<>();

  private record Event(long at, long order, Runnable task) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
    }
  }

  /** One node: its controller, its fence, and what the simulated world knows of it. */
  final class Sim {
    final int index;
    final String name;
    final SimFence fence = new SimFence();
    PairController controller;
    boolean cut;
    boolean inView;
    long busyUntil;
    long frozenUntil;
    long answersFrom;
    long lastHeard;
    long pingAnswerAt = -1;
    int activations;
    final List<byte[]> outbox = new ArrayList<>();

    Sim(int index, String name) {
      this.index = index;
      this.name = name;
    }

    Sim peer() {
      return nodes[1 - index];
    }

    /** Answers for the addresses where clients can see it. */
    boolean answering(long now) {
      return !cut
          && controller.state() == PairState.ACTIVE
          && fence.open(now)
          && now >= answersFrom;
    }
  }

  /** A fence in the kernel, as the controller sees it: open while its lease runs. */
  final class SimFence implements Fence {
    private long openUntil = Long.MIN_VALUE;

    boolean open(long now) {
      return now < openUntil;
    }

    @Override
    public void guard(List<FloatingIp> ips) {}

    @Override
    public void renew(List<FloatingIp> ips) {
      openUntil = clock.get() + LEASE;
    }

    @Override
    public void shut() {
      openUntil = Long.MIN_VALUE;
    }

    @Override
    public Duration lease() {
      return Duration.ofNanos(LEASE);
    }

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public void close() {}
  }

  /**
   * @param seed chooses latencies and the phase of each node's ticks
   * @param takeoverMillis how long a takeover keeps the taking node's worker busy
   * @param releaseMillis how long giving the addresses up keeps it busy
   */
  PairSimulation(long seed, long takeoverMillis, long releaseMillis) throws Exception {
    random = new Random(seed);
    takeoverNanos = takeoverMillis * MS;
    releaseNanos = releaseMillis * MS;
    nodes[0] = new Sim(0, "lb1");
    nodes[1] = new Sim(1, "lb2");
    for (Sim n : nodes) {
      start(n);
    }
  }

  private void start(Sim n) throws Exception {
    PairRole role = n.index == 0 ? PairRole.PRIMARY : PairRole.SECONDARY;
    PairSettings s =
        new PairSettings(
            role,
            new InetSocketAddress("127.0.0.1", 1 + n.index),
            new InetSocketAddress("127.0.0.1", 2 - n.index),
            Path.of("unused"),
            List.of("10.99.0.10"),
            false,
            "lo");
    n.controller =
        new PairController(
            s,
            serving -> {},
            new FloatingIpOwner("lo", List.of()),
            n.fence,
            new TermStore(Optional.empty()),
            List::of,
            new PingTargets(List.of("10.99.0.10"), List.of()),
            new MemoryReplica(1, MemoryReplica.config("a")),
            clock::get);
    n.controller.onRoleChange((what, why) -> log(what + ": " + why));
    n.controller.startScripted(bytes -> send(n, bytes));
    long phase = random.nextInt(100) * MS;
    at(clock.get() + phase, () -> tick(n));
    at(clock.get() + phase + random.nextInt(200) * MS, () -> renew(n));
    at(clock.get() + 500 * MS, () -> failureDetector(n));
    n.inView = true;
    n.lastHeard = clock.get();
    on(n, () -> n.controller.onView(view(true, false)));
  }

  private static PairView view(boolean peer, boolean merge) {
    return new PairView(
        peer ? List.of("primary", "secondary") : List.of("self"), peer, merge, Instant.EPOCH);
  }

  void log(String line) {
    log.add(String.format("%8d ms  %s", (clock.get() / MS) % 1_000_000, line));
  }

  List<String> log() {
    return log;
  }

  long now() {
    return clock.get();
  }

  private void at(long when, Runnable task) {
    events.add(new Event(when, order++, task));
  }

  /** Runs a task on the node's worker: after the takeover it is busy with, if any. */
  private void on(Sim n, Runnable task) {
    long now = clock.get();
    if (now < n.busyUntil) {
      at(n.busyUntil, () -> on(n, task));
      return;
    }
    PairState was = n.controller.state();
    task.run();
    if (n.controller.state() == PairState.ACTIVE && was != PairState.ACTIVE) {
      n.activations++;
      n.busyUntil = now + takeoverNanos;
      // The addresses go in and are announced before the takeover ends and the node's heartbeat
      // says it is active.
      n.answersFrom = now + takeoverNanos / 2;
      log(n.name + " takes over, busy until +" + takeoverNanos / MS + " ms");
    } else if (n.controller.state() != PairState.ACTIVE && was == PairState.ACTIVE) {
      n.busyUntil = now + releaseNanos;
      log(n.name + " gives up, busy until +" + releaseNanos / MS + " ms");
    }
    for (byte[] bytes : n.outbox) {
      deliver(n, bytes);
    }
    n.outbox.clear();
    if (n.controller.pinging() && n.pingAnswerAt < 0) {
      ping(n);
    }
    check();
  }

  private void tick(Sim n) {
    on(n, n.controller::tick);
    at(clock.get() + 100 * MS, () -> tick(n));
  }

  private void renew(Sim n) {
    if (clock.get() < n.frozenUntil) {
      at(n.frozenUntil, () -> renew(n));
      return;
    }
    try {
      n.controller.renewLease(RENEW_WITHIN);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    check();
    at(clock.get() + RENEW_EVERY, () -> renew(n));
  }

  /** A ping through the node's link: a reply within a millisecond, or nothing for 0.5 s. */
  private void ping(Sim n) {
    long now = clock.get();
    boolean reachable = !n.cut;
    n.pingAnswerAt = now + (reachable ? MS : 500 * MS);
    at(
        n.pingAnswerAt,
        () -> {
          n.pingAnswerAt = -1;
          on(n, () -> n.controller.pingAnswered(reachable && !n.cut));
        });
  }

  private void send(Sim from, byte[] bytes) {
    from.outbox.add(bytes);
  }

  private void deliver(Sim from, byte[] bytes) {
    long now = clock.get();
    long leaves = Math.max(now, from.busyUntil);
    long arrives = leaves + (200 + random.nextInt(1800)) * 1_000L;
    Sim to = from.peer();
    at(
        arrives,
        () -> {
          if (from.cut || to.cut || clock.get() < leaves) {
            return;
          }
          to.lastHeard = clock.get();
          on(to, () -> to.controller.onMessage(bytes));
        });
  }

  /**
   * FD_ALL3 as configured: a peer silent for 2 s is dropped from the view (checked every 0.5 s);
   * MERGE3 brings it back 1-3 s after the two hear each other again.
   */
  private void failureDetector(Sim n) {
    long now = clock.get();
    if (n.inView && now - n.lastHeard >= 2000 * MS) {
      n.inView = false;
      on(n, () -> n.controller.onView(view(false, false)));
    } else if (!n.inView && now - n.lastHeard < 500 * MS && now - n.peer().lastHeard < 500 * MS) {
      long merge = now + (1000 + random.nextInt(2000)) * MS;
      at(
          merge,
          () -> {
            for (Sim m : nodes) {
              if (!m.inView) {
                m.inView = true;
                on(m, () -> m.controller.onView(view(true, true)));
              }
            }
          });
      at(merge + 500 * MS, () -> failureDetector(n));
      return;
    }
    at(now + 500 * MS, () -> failureDetector(n));
  }

  private void check() {
    long now = clock.get();
    boolean dual = nodes[0].answering(now) && nodes[1].answering(now);
    if (dual && dualSince < 0) {
      dualSince = now;
      dualMoments++;
      log("BOTH ANSWER");
    } else if (!dual && dualSince >= 0) {
      dualNanos += now - dualSince;
      dualSince = -1;
      log("one answers again");
    }
  }

  /** Runs the world for {@code ms}. */
  void run(long ms) {
    long until = clock.get() + ms * MS;
    while (!events.isEmpty() && events.peek().at() <= until) {
      Event e = events.poll();
      clock.set(e.at());
      e.task().run();
      check();
    }
    clock.set(until);
    check();
  }

  /** Freezes the node's process (SIGSTOP, a long GC): nothing of it runs; its kernel does. */
  void freeze(Sim n, long ms) {
    n.frozenUntil = clock.get() + ms * MS;
    n.busyUntil = Math.max(n.busyUntil, n.frozenUntil);
    log(n.name + " frozen for " + ms + " ms");
  }

  /** Cuts the node's link (both ways, and to its ping targets) at once. */
  void cut(Sim n, boolean down) {
    n.cut = down;
    log(n.name + (down ? " link down" : " link up"));
    check();
  }

  Sim active() {
    Sim a = null;
    for (Sim n : nodes) {
      if (n.controller.state() == PairState.ACTIVE) {
        if (a != null) {
          return null;
        }
        a = n;
      }
    }
    return a;
  }

  /** How long both nodes answered so far, in µs (a moment of it counts as 1). */
  long dualMicros() {
    return dualMoments + (dualNanos + (dualSince >= 0 ? clock.get() - dualSince : 0)) / 1000;
  }

  @Override
  public void close() {
    for (Sim n : nodes) {
      if (n.controller != null) {
        n.controller.close();
      }
    }
  }
}
