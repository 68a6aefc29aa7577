package org.lbctl.cluster.pair;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one thread the pair's controller runs on: every step in order, so two transitions never
 * interleave. JGroups threads, the API and the ping checks only hand work over.
 */
final class PairWorker {
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-pair");
            t.setDaemon(true);
            return t;
          });

  void execute(Runnable step) {
    executor.execute(step);
  }

  void after(long nanos, Runnable step) {
    executor.schedule(step, nanos, TimeUnit.NANOSECONDS);
  }

  void every(long millis, Runnable step) {
    executor.scheduleWithFixedDelay(step, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Runs {@code step} on the worker and waits for it; its exception is rethrown here. */
  <T> T call(Callable<T> step) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    executor.execute(
        () -> {
          try {
            result.complete(step.call());
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        });
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  boolean stopped() {
    return executor.isShutdown();
  }

  void stop() {
    executor.shutdownNow();
  }
}
