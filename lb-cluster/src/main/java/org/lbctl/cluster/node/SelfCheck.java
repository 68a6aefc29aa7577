package org.lbctl.cluster.node;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.LeaseHolder;
import org.lbctl.cluster.members.Detection;
import org.lbctl.core.config.Durations;
import org.lbctl.core.config.Fencing;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.os.SystemdWatchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves this node alive, on a thread of its own: every data-plane event loop must have run a probe
 * posted within the last two periods, and the pair's controller must have made progress. Only then
 * is systemd's watchdog fed and, on the active node, the fence's lease renewed. A wedged event loop
 * or controller therefore silences the node within the lease, and a wedged JVM gets restarted.
 */
final class SelfCheck implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SelfCheck.class);

  private final Duration period;
  private final List<Executor> loops;
  private final AtomicLongArray answered;
  private final SystemdWatchdog watchdog;
  private final Supplier<LeaseHolder> holder;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-selfcheck");
            t.setDaemon(true);
            t.setPriority(Thread.MAX_PRIORITY);
            return t;
          });
  private long lastTick = System.nanoTime();
  private String lastComplaint = "";
  private long renewFailures;

  SelfCheck(
      Duration period, List<Executor> loops, SystemdWatchdog watchdog, Supplier<LeaseHolder> pair) {
    this.period = period;
    this.loops = List.copyOf(loops);
    this.answered = new AtomicLongArray(loops.size());
    this.watchdog = watchdog;
    this.holder = pair;
    long now = System.nanoTime();
    for (int i = 0; i < loops.size(); i++) {
      answered.set(i, now);
    }
  }

  /**
   * The check of a node on {@code local}, which proves it alive every fencing period: feeds
   * systemd's watchdog and, on an active node of a pair, renews the fence's lease.
   *
   * @throws IOException when the unit's watchdog would restart a node of a pair too soon
   */
  static SelfCheck of(NodeConfig local, List<Executor> loops, Supplier<LeaseHolder> pair)
      throws IOException {
    SystemdWatchdog watchdog = SystemdWatchdog.fromEnvironment();
    Duration period =
        local
            .pair()
            .map(p -> p.fencing().renew())
            .or(() -> local.cluster().map(c -> c.fencing().renew()))
            .orElse(Fencing.DEFAULT_RENEW);
    Duration detection = Duration.ofNanos(Detection.DETECT_NANOS);
    if ((local.pair().isPresent() || local.cluster().isPresent())
        && watchdog.interval().isPresent()
        && watchdog.interval().get().compareTo(detection) < 0) {
      throw new IOException(
          "WatchdogSec="
              + Durations.format(watchdog.interval().get())
              + " in the unit is shorter than the detection time of a dead peer or member ("
              + Durations.format(detection)
              + "): systemd would restart a node the peer has not yet judged dead; set"
              + " WatchdogSec= to 5s or more");
    }
    watchdog
        .interval()
        .ifPresent(
            w -> log.info("feeding systemd's watchdog (WatchdogSec={})", Durations.format(w)));
    return new SelfCheck(period, loops, watchdog, pair);
  }

  void start() {
    thread.scheduleAtFixedRate(this::tick, 0, period.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void tick() {
    long now = System.nanoTime();
    long within = 2 * period.toNanos() + 100_000_000L;
    String complaint = "";
    if (now - lastTick > within) {
      complaint = "this check itself did not run for " + (now - lastTick) / 1_000_000 + " ms";
    }
    lastTick = now;
    for (int i = 0; i < loops.size() && complaint.isEmpty(); i++) {
      long age = now - answered.get(i);
      if (age > within) {
        complaint = "event loop " + i + " has not run a task for " + age / 1_000_000 + " ms";
      }
    }
    LeaseHolder p = holder.get();
    if (complaint.isEmpty() && p != null && !p.alive(within)) {
      complaint =
          "the group controller has made no progress for more than " + within / 1_000_000 + " ms";
    }
    if (complaint.isEmpty()) {
      watchdog.alive();
      if (p != null) {
        renew(p, within);
      }
    } else if (p != null && p.leaseWanted(Long.MAX_VALUE)) {
      complaint += "; the fence's lease is not renewed";
    }
    if (!complaint.equals(lastComplaint)) {
      if (!complaint.isEmpty()) {
        log.error("self-check: {}", complaint);
      } else {
        log.info("self-check: every event loop and the controller answer again");
      }
      lastComplaint = complaint;
    }
    for (int i = 0; i < loops.size(); i++) {
      int index = i;
      try {
        loops.get(i).execute(() -> answered.set(index, System.nanoTime()));
      } catch (RuntimeException e) {
        // A loop that is shutting down: the node is stopping.
      }
    }
  }

  private void renew(LeaseHolder p, long within) {
    try {
      p.renewLease(within);
      if (renewFailures > 0) {
        log.info("fence: the lease is renewed again after {} failures", renewFailures);
        renewFailures = 0;
      }
    } catch (Exception e) {
      if (renewFailures++ % 25 == 0) {
        log.error("fence: cannot renew the lease ({} failures): {}", renewFailures, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    watchdog.close();
  }
}
