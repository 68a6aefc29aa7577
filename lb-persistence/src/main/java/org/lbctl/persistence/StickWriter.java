package org.lbctl.persistence;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.lbctl.core.persistence.StickEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes leave the event loops through one thread: a connection never waits for marshalling, flow
 * control or a stalled peer. When the peer stalls for long the queue fills and further writes are
 * dropped (and counted) rather than held. An entry written here is read back at once from {@link
 * #pending} until Infinispan holds it.
 */
final class StickWriter {
  private static final Logger log = LoggerFactory.getLogger(StickWriter.class);
  private static final int WRITE_QUEUE = 65_536;
  private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final AdvancedCache<String, String> cache;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final LagWindow lags = new LagWindow(1024);
  // Entries written here and not yet in the cache: this node reads its own writes at once.
  private final Map<String, StickEntry> pending = new ConcurrentHashMap<>();
  private final AtomicLong lastFailureLog = new AtomicLong();
  private final AtomicLong unloggedFailures = new AtomicLong();
  private final ThreadPoolExecutor writer =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(WRITE_QUEUE),
          r -> {
            Thread t = new Thread(r, "stick-writer");
            t.setDaemon(true);
            return t;
          },
          (r, pool) -> {
            String full = "the queue of " + WRITE_QUEUE + " writes to the peer is full";
            if (r instanceof Write w) {
              w.done(full);
            } else {
              throw new RejectedExecutionException(full);
            }
          });

  StickWriter(AdvancedCache<String, String> cache) {
    this.cache = cache;
  }

  /** The entry written here under {@code id} that Infinispan does not hold yet; null if none. */
  StickEntry pending(String id) {
    return pending.get(id);
  }

  /** Queues {@code entry} for every node; this node reads it at once. */
  void write(String id, StickEntry entry, Duration timeout) {
    sent.incrementAndGet();
    inFlight.incrementAndGet();
    long queued = System.nanoTime();
    pending.put(id, entry);
    writer.execute(new Write(id, entry, timeout, queued));
  }

  /**
   * Lets the writes queued so far reach Infinispan, then forgets the pending ones under {@code
   * prefix}, so that a clear removes them too.
   */
  void drain(String prefix, long waitSeconds) {
    try {
      writer.submit(() -> {}).get(waitSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      log.warn("stick table: queued writes did not drain before a clear: {}", e.toString());
    }
    pending.keySet().removeIf(k -> k.startsWith(prefix));
  }

  /** One entry on its way from the caller through the writer thread to every node. */
  private final class Write implements Runnable {
    private final String id;
    private final StickEntry entry;
    private final Duration timeout;
    private final long queuedNanos;

    Write(String id, StickEntry entry, Duration timeout, long queuedNanos) {
      this.id = id;
      this.entry = entry;
      this.timeout = timeout;
      this.queuedNanos = queuedNanos;
    }

    /** On the writer thread: hands the entry to Infinispan, which replicates it. */
    @Override
    public void run() {
      try {
        cache
            .withFlags(Flag.IGNORE_RETURN_VALUES)
            .putAsync(id, entry.server(), timeout.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete(
                (v, t) -> {
                  if (t == null) {
                    lags.record(System.nanoTime() - queuedNanos);
                  }
                  done(t == null ? null : t.toString());
                });
      } catch (RuntimeException e) {
        done(e.toString());
      }
    }

    /** The entry is in the table (failure null) or will not be. */
    void done(String failure) {
      // Only this write's own entry: a newer one for the same key stays pending.
      pending.remove(id, entry);
      inFlight.decrementAndGet();
      if (failure != null) {
        failed(failure);
      }
    }
  }

  /** Counts a write that did not reach the peer; logs at most every 10 s, with the count. */
  private void failed(String why) {
    failed.incrementAndGet();
    unloggedFailures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if ((last == 0 || now - last > FAILURE_LOG_INTERVAL_NANOS)
        && lastFailureLog.compareAndSet(last, now)) {
      log.warn(
          "stick table: {} writes did not reach the peer (latest: {}); those clients stick on"
              + " this node only and may be balanced afresh after a failover",
          unloggedFailures.getAndSet(0),
          why);
    }
  }

  long sent() {
    return sent.get();
  }

  long failed() {
    return failed.get();
  }

  long inFlight() {
    return inFlight.get();
  }

  /** Queue-to-acknowledgement times of the latest writes, in milliseconds, sorted. */
  double[] lagsMillis() {
    return lags.sortedMillis();
  }

  /** Lets the queued writes go out (two seconds at most) and stops the thread. */
  void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(2, TimeUnit.SECONDS)) {
        log.warn(
            "stick table: {} writes still queued at close were dropped", writer.getQueue().size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
