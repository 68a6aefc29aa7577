package org.lbctl.persistence;

import java.util.Arrays;

/**
 * The replication lags of the most recent writes (from sending to the peer's acknowledgement), for
 * percentiles in the status. A fixed ring: recording costs no allocation, and old figures age out
 * by themselves.
 */
final class LagWindow {
  private final long[] nanos;
  private int next;
  private int filled;

  LagWindow(int size) {
    this.nanos = new long[size];
  }

  synchronized void record(long lagNanos) {
    nanos[next] = lagNanos;
    next = (next + 1) % nanos.length;
    filled = Math.min(filled + 1, nanos.length);
  }

  /** The recorded lags, sorted, in milliseconds. */
  synchronized double[] sortedMillis() {
    long[] copy = Arrays.copyOf(nanos, filled);
    Arrays.sort(copy);
    double[] ms = new double[copy.length];
    for (int i = 0; i < copy.length; i++) {
      ms[i] = copy[i] / 1e6;
    }
    return ms;
  }

  /** The {@code p}-th percentile (0-100) of sorted figures, nearest rank; 0 when there are none. */
  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
