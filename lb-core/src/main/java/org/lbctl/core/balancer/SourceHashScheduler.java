package org.lbctl.core.balancer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;

/**
 * Source hash by weighted rendezvous hashing: each client address scores every backend and takes
 * the best. Removing a backend moves only that backend's clients; both nodes of a pair, and a
 * restarted node, compute the same answer because the hash depends only on labels and addresses.
 */
final class SourceHashScheduler implements Scheduler {
  @Override
  public Backend select(List<Backend> backends, InetAddress client, Predicate<Backend> usable) {
    long clientHash = fnv(client.getAddress(), 0xcbf29ce484222325L);
    Backend best = null;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (Backend b : backends) {
      if (!usable.test(b)) {
        continue;
      }
      double score = score(clientHash, b);
      if (score > bestScore) {
        best = b;
        bestScore = score;
      }
    }
    return best;
  }

  static double score(long clientHash, Backend b) {
    long h = mix(fnv(b.label().getBytes(StandardCharsets.UTF_8), clientHash));
    // A uniform value in (0, 1); weight / -ln(u) is the weighted rendezvous score.
    double u = ((h >>> 11) + 1) / (double) ((1L << 53) + 1);
    return b.weight() / -Math.log(u);
  }

  private static long fnv(byte[] bytes, long seed) {
    long h = seed;
    for (byte x : bytes) {
      h ^= x & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The SplitMix64 finaliser: spreads FNV's weak low bits over the whole word. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
