package org.lbctl.core.balancer;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Weighted round robin over a precomputed smooth sequence (each backend appears weight/gcd times,
 * interleaved rather than in bursts). A shared counter walks it; unusable entries are skipped.
 */
final class RoundRobinScheduler implements Scheduler {
  private final AtomicLong counter = new AtomicLong();
  private volatile Sequence sequence;

  private record Sequence(List<Backend> backends, int[] order) {}

  @Override
  public Backend select(List<Backend> backends, InetAddress client, Predicate<Backend> usable) {
    Sequence seq = sequence;
    if (seq == null || seq.backends() != backends) {
      seq = new Sequence(backends, smoothOrder(backends));
      sequence = seq;
    }
    int[] order = seq.order();
    if (order.length == 0) {
      return null;
    }
    long start = counter.getAndIncrement();
    for (int i = 0; i < order.length; i++) {
      Backend b = backends.get(order[(int) Math.floorMod(start + i, (long) order.length)]);
      if (usable.test(b)) {
        return b;
      }
    }
    return null;
  }

  /** Nginx's smooth weighted round robin, unrolled into one cycle. */
  static int[] smoothOrder(List<Backend> backends) {
    int n = backends.size();
    int[] weights = new int[n];
    int gcd = 0;
    for (int i = 0; i < n; i++) {
      weights[i] = backends.get(i).weight();
      gcd = gcd(gcd, weights[i]);
    }
    if (gcd == 0) {
      return new int[0];
    }
    int total = 0;
    for (int i = 0; i < n; i++) {
      weights[i] /= gcd;
      total += weights[i];
    }
    int[] order = new int[total];
    int[] current = new int[n];
    for (int k = 0; k < total; k++) {
      int best = -1;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (weights[i] > 0 && (best < 0 || current[i] > current[best])) {
          best = i;
        }
      }
      current[best] -= total;
      order[k] = best;
    }
    return order;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }
}
