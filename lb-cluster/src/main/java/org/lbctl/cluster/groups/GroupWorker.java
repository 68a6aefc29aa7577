package org.lbctl.cluster.groups;

import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread the group controller runs on: every step in order, each wrapped the same way (the
 * controller checks for a freeze first and marks progress after). JGroups threads and the API only
 * hand work over; after {@link #stop}, late events are dropped.
 */
final class GroupWorker {
  private static final Logger log = LoggerFactory.getLogger(GroupWorker.class);

  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-groups");
            t.setDaemon(true);
            return t;
          });
  private final Consumer<Runnable> wrap;
  private final AtomicLong steps = new AtomicLong();

  GroupWorker(Consumer<Runnable> wrap) {
    this.wrap = wrap;
  }

  private Runnable wrapped(Runnable step) {
    return () -> {
      try {
        wrap.accept(step);
      } catch (RuntimeException e) {
        // Logged, not thrown: a periodic step that throws is never run again.
        log.error("groups: a step failed; the next one runs as usual", e);
      }
      steps.incrementAndGet();
    };
  }

  void run(Runnable step) {
    try {
      executor.execute(wrapped(step));
    } catch (RejectedExecutionException e) {
      log.debug("groups: closed; ignoring a late event");
    }
  }

  /** Runs {@code step} without the wrapping (before the controller's clock watch starts). */
  void runBare(Runnable step) {
    executor.execute(step);
  }

  /** Runs {@code step} in turn and waits (at most 5 s) for its answer or its failure. */
  <T> T call(java.util.concurrent.Callable<T> step) throws Exception {
    java.util.concurrent.atomic.AtomicReference<T> answer =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<Exception> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    executor
        .submit(
            wrapped(
                () -> {
                  try {
                    answer.set(step.call());
                  } catch (Exception e) {
                    failure.set(e);
                  }
                }))
        .get(5, TimeUnit.SECONDS);
    if (failure.get() != null) {
      throw failure.get();
    }
    return answer.get();
  }

  void every(long millis, Runnable step) {
    executor.scheduleWithFixedDelay(wrapped(step), millis, millis, TimeUnit.MILLISECONDS);
  }

  void after(long nanos, Runnable step) {
    try {
      executor.schedule(wrapped(step), nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("groups: closed; not scheduling");
    }
  }

  /** Runs {@code last} and waits for it (at most 5 s), then stops the thread. */
  void stop(Runnable last) {
    if (executor.isShutdown()) {
      return; // stopped already (a pair broken: first its decisions, then the rest)
    }
    try {
      executor.submit(last).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("groups: leaving: {}", e.getMessage());
    }
    executor.shutdownNow();
  }

  /** Steps run so far. */
  long steps() {
    return steps.get();
  }
}
