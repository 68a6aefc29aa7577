package org.lbctl.core.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.RealServerStatus;
import org.lbctl.core.status.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last hour of each virtual service and real server, one sample every 10 s in ring buffers of
 * fixed size: open connections, new connections per second, bytes per second (both ways) and, for a
 * real server, whether it was healthy. What the web UI's graphs draw; nothing is written to disk,
 * so a restart starts an empty hour.
 */
public final class StatusHistory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusHistory.class);
  public static final Duration EVERY = Duration.ofSeconds(10);
  public static final int SAMPLES = 360;

  private final Supplier<NodeStatus> status;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          new io.netty.util.concurrent.DefaultThreadFactory("lb-history", true));
  // Guarded by this.
  private final long[] times = new long[SAMPLES];
  private final Map<String, Series> series = new LinkedHashMap<>();
  private final Map<String, long[]> lastCounters = new LinkedHashMap<>();
  // The sample number each subject was last seen at: one gone for a whole ring is forgotten.
  private final Map<String, Long> seenAt = new LinkedHashMap<>();
  private long samples;
  private long lastAt;
  private int next;
  private int count;

  /** One subject's samples, in the ring's slots. */
  private static final class Series {
    final double[] connections = new double[SAMPLES];
    final double[] newPerSecond = new double[SAMPLES];
    final double[] bytesPerSecond = new double[SAMPLES];
    final double[] healthy = new double[SAMPLES];
    final boolean server;

    Series(boolean server) {
      this.server = server;
      java.util.Arrays.fill(connections, Double.NaN);
      java.util.Arrays.fill(newPerSecond, Double.NaN);
      java.util.Arrays.fill(bytesPerSecond, Double.NaN);
      java.util.Arrays.fill(healthy, Double.NaN);
    }
  }

  public StatusHistory(Supplier<NodeStatus> status) {
    this.status = status;
  }

  public StatusHistory start() {
    timer.scheduleWithFixedDelay(this::sampleNow, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  private void sampleNow() {
    try {
      sample(status.get(), System.currentTimeMillis());
    } catch (RuntimeException e) {
      log.warn("history: cannot read the status: {}", e.toString());
    }
  }

  /** Takes one sample of {@code s} at {@code atMillis}. */
  public synchronized void sample(NodeStatus s, long atMillis) {
    double seconds = lastAt == 0 ? 0 : (atMillis - lastAt) / 1000.0;
    times[next] = atMillis;
    // A subject gone since (a VIP removed) has no sample now, not the one of an hour ago.
    for (Series x : series.values()) {
      x.connections[next] = Double.NaN;
      x.newPerSecond[next] = Double.NaN;
      x.bytesPerSecond[next] = Double.NaN;
      x.healthy[next] = Double.NaN;
    }
    for (ServiceStatus v : s.virtualServices()) {
      record(
          v.label(),
          false,
          v.activeConnections(),
          v.totalConnections(),
          v.bytesIn() + v.bytesOut(),
          Double.NaN,
          seconds);
      for (RealServerStatus r : v.realServers()) {
        record(
            v.label() + "/" + r.label(),
            true,
            r.activeConnections(),
            r.totalConnections(),
            r.bytesIn() + r.bytesOut(),
            r.health().equals("up") ? 1 : 0,
            seconds);
      }
    }
    lastAt = atMillis;
    next = (next + 1) % SAMPLES;
    count = Math.min(count + 1, SAMPLES);
    samples++;
    seenAt.entrySet().removeIf(e -> samples - e.getValue() > SAMPLES);
    series.keySet().retainAll(seenAt.keySet());
    lastCounters.keySet().retainAll(seenAt.keySet());
  }

  private void record(
      String key,
      boolean server,
      double open,
      long total,
      long bytes,
      double healthy,
      double seconds) {
    Series x = series.computeIfAbsent(key, k -> new Series(server));
    seenAt.put(key, samples);
    long[] before = lastCounters.put(key, new long[] {total, bytes});
    x.connections[next] = open;
    x.healthy[next] = healthy;
    // A rate needs the sample before; counters that went back (a reload) start again.
    boolean rate = before != null && seconds > 0 && total >= before[0] && bytes >= before[1];
    x.newPerSecond[next] = rate ? (total - before[0]) / seconds : Double.NaN;
    x.bytesPerSecond[next] = rate ? (bytes - before[1]) / seconds : Double.NaN;
  }

  /**
   * The samples, oldest first: {@code times} (epoch seconds) and per subject ({@code vip} or {@code
   * vip/server}) its series, {@code null} where there was none.
   */
  public synchronized Map<String, Object> snapshot() {
    List<Long> t = new ArrayList<>(count);
    int first = (next - count + SAMPLES) % SAMPLES;
    for (int i = 0; i < count; i++) {
      t.add(times[(first + i) % SAMPLES] / 1000);
    }
    Map<String, Object> subjects = new LinkedHashMap<>();
    series.forEach(
        (key, x) -> {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("connections", window(x.connections, first));
          one.put("newPerSecond", window(x.newPerSecond, first));
          one.put("bytesPerSecond", window(x.bytesPerSecond, first));
          if (x.server) {
            one.put("healthy", window(x.healthy, first));
          }
          subjects.put(key, one);
        });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("intervalSeconds", EVERY.toSeconds());
    out.put("times", t);
    out.put("series", subjects);
    return out;
  }

  private List<Double> window(double[] ring, int first) {
    List<Double> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      double v = ring[(first + i) % SAMPLES];
      out.add(Double.isNaN(v) ? null : Math.round(v * 100) / 100.0);
    }
    return out;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
