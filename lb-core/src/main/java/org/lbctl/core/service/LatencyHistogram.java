package org.lbctl.core.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted in fixed buckets (Prometheus style, cumulative when read), with their sum: an
 * HL7 message's time to its acknowledgment, a DICOM association's length.
 */
public final class LatencyHistogram {
  /** Upper bounds in milliseconds; a last bucket takes the rest. */
  static final long[] BOUNDS_MS = {
    1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 3_600_000
  };

  private final LongAdder[] buckets = new LongAdder[BOUNDS_MS.length + 1];
  private final LongAdder sumNanos = new LongAdder();

  public LatencyHistogram() {
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  public void record(long nanos) {
    long ms = nanos / 1_000_000;
    int i = 0;
    while (i < BOUNDS_MS.length && ms >= BOUNDS_MS[i]) {
      i++;
    }
    buckets[i].increment();
    sumNanos.add(nanos);
  }

  /**
   * {@code <name>_le_<bound>} cumulative counts ({@code inf} last), then {@code <name>_sum_ms} and
   * {@code <name>_count}: the form the status carries and the metrics turn into a histogram.
   */
  public Map<String, Long> snapshot(String name) {
    Map<String, Long> m = new LinkedHashMap<>();
    long running = 0;
    for (int i = 0; i < buckets.length; i++) {
      running += buckets[i].sum();
      m.put(name + "_le_" + (i < BOUNDS_MS.length ? Long.toString(BOUNDS_MS[i]) : "inf"), running);
    }
    m.put(name + "_sum_ms", sumNanos.sum() / 1_000_000);
    m.put(name + "_count", running);
    return m;
  }
}
