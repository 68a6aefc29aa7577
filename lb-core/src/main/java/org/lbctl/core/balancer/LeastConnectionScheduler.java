package org.lbctl.core.balancer;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Weighted least-connection: the backend with the fewest active connections per unit of weight.
 * Ties rotate, so a quiet service still spreads sequential clients.
 */
final class LeastConnectionScheduler implements Scheduler {
  private final AtomicInteger rotation = new AtomicInteger();

  @Override
  public Backend select(List<Backend> backends, InetAddress client, Predicate<Backend> usable) {
    int n = backends.size();
    if (n == 0) {
      return null;
    }
    int start = Math.floorMod(rotation.getAndIncrement(), n);
    Backend best = null;
    long bestActive = 0;
    for (int i = 0; i < n; i++) {
      Backend b = backends.get((start + i) % n);
      if (!usable.test(b)) {
        continue;
      }
      long active = b.state().activeConnections();
      // active/weight < bestActive/bestWeight, compared without division.
      if (best == null || active * best.weight() < bestActive * b.weight()) {
        best = b;
        bestActive = active;
      }
    }
    return best;
  }
}
