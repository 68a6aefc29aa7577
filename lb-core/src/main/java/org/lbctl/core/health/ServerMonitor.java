package org.lbctl.core.health;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.lbctl.core.balancer.RealServerState;

/**
 * Checks one real server of one virtual service every interval, one check at a time, and sets the
 * server's health from {@link HealthState}. Runs on one event loop of the checker's group: its
 * fields need no locks.
 */
final class ServerMonitor {
  private final CheckTarget target;
  private final Check check;
  private final Duration interval;
  private final HealthState health;
  private final RealServerState server;
  private final EventLoop loop;
  private final Consumer<HealthEvent> onChange;
  private volatile boolean stopped;
  private ScheduledFuture<?> next;
  private volatile CheckResult last;
  private volatile Duration lastTook;

  ServerMonitor(
      CheckTarget target,
      Check check,
      Duration interval,
      HealthState health,
      RealServerState server,
      EventLoop loop,
      Consumer<HealthEvent> onChange) {
    this.target = target;
    this.check = check;
    this.interval = interval;
    this.health = health;
    this.server = server;
    this.loop = loop;
    this.onChange = onChange;
  }

  /**
   * The first check runs within one interval, spread so that many servers are not checked at once.
   */
  void start() {
    long first = ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis() / 10));
    loop.execute(() -> schedule(first));
  }

  void stop() {
    stopped = true;
    loop.execute(
        () -> {
          if (next != null) {
            next.cancel(false);
          }
        });
  }

  /** How long the latest check took (a timeout: the timeout), or null before the first. */
  Duration lastTook() {
    return lastTook;
  }

  /** The latest result, or null before the first. */
  CheckResult last() {
    return last;
  }

  private void schedule(long delayMillis) {
    if (!stopped) {
      next = loop.schedule(this::tick, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void tick() {
    if (stopped) {
      return;
    }
    long start = System.nanoTime();
    CompletableFuture<CheckResult> running;
    try {
      running = check.run(target);
    } catch (RuntimeException e) {
      running = CompletableFuture.completedFuture(CheckResult.down(Failures.describe(e)));
    }
    // A check that overruns its timeout counts as failed, whatever it says later.
    running
        .completeOnTimeout(
            CheckResult.down("no answer within " + target.timeout().toMillis() + " ms"),
            target.timeout().toMillis(),
            TimeUnit.MILLISECONDS)
        .exceptionally(t -> CheckResult.down(Failures.describe(t)))
        .thenAcceptAsync(r -> finished(r, start), loop);
  }

  private void finished(CheckResult r, long startNanos) {
    if (stopped) {
      return;
    }
    last = r;
    lastTook = Duration.ofNanos(System.nanoTime() - startNanos);
    boolean first = health.up().isEmpty();
    int inARow = first ? 1 : health.streak() + 1;
    health
        .record(r.up())
        .ifPresent(
            up -> {
              server.setHealthy(up);
              // A server counts as up until its first check: only a first failure is news.
              if (!(first && up)) {
                onChange.accept(
                    new HealthEvent(target.virtualService(), target.server(), up, inARow, r));
              }
            });
    long elapsed = (System.nanoTime() - startNanos) / 1_000_000;
    schedule(Math.max(0, interval.toMillis() - elapsed));
  }
}
