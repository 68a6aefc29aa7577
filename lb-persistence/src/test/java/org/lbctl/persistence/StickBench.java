package org.lbctl.persistence;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.event.CacheEntryCreatedEvent;

/**
 * The replicated stick table under load, for {@code deploy/bench/stick.sh}: two nodes on loopback
 * over the production stack (TCP, encrypted), in this JVM unless said otherwise.
 *
 * <ul>
 *   <li>record rate: entries written as fast as one thread can, until the peer acknowledged all;
 *   <li>replication lag: from a write on one node to the entry's arrival on the other, at a steady
 *       5,000 writes/s, with the table at 100k and at 1M entries;
 *   <li>heap bytes per entry: the heap growth of 1M entries on both nodes, divided by 2M;
 *   <li>transfer: a node that joins a table of 1M entries, until it holds them all;
 *   <li>loss on a kill: a writer node in its own process is killed with SIGKILL while it writes;
 *       the newest entry that reached the survivor tells how old the lost ones can be.
 * </ul>
 */
public final class StickBench {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final SecretKey KEY = new SecretKeySpec(new byte[32], "AES");
  private static final int PACED_RATE = 5_000;
  private static final int PACED_WRITES = 20_000;
  private static final int MAX_IN_FLIGHT = 20_000;

  private StickBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("writer")) {
      writer(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3]);
      return;
    }
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int kills = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    new Run(total, kills).run();
  }

  private static InetSocketAddress loopback(int port) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  private static int freePort() throws java.io.IOException {
    try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A client address for entry {@code i}: 16M distinct ones. */
  private static String client(int i) {
    return "10." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void awaitAcknowledged(ReplicatedStickTable t) {
    while (t.writesInFlight() > 0) {
      LockSupport.parkNanos(100_000);
    }
  }

  /** Parks rather than spins: on two cores a spinning writer would starve the replication. */
  private static void awaitDue(long dueNanos) {
    for (long left = dueNanos - System.nanoTime(); left > 0; left = dueNanos - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  private static double percentile(long[] nanos, int count, double p) {
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    return LagWindow.percentile(Arrays.stream(sorted).mapToDouble(n -> n / 1e6).toArray(), p);
  }

  /** Records, on the receiving node, when each paced entry arrived. */
  @Listener(sync = true, observation = Listener.Observation.POST)
  public static final class Arrivals {
    private final String vip;
    private final long[] sentAt;
    private final long[] lag;
    private volatile int received;

    Arrivals(String vip, long[] sentAt) {
      this.vip = vip;
      this.sentAt = sentAt;
      this.lag = new long[sentAt.length];
    }

    @CacheEntryCreated
    public void created(CacheEntryCreatedEvent<String, String> e) {
      String k = e.getKey();
      if (e.isOriginLocal() || !k.startsWith(vip + '\0')) {
        return;
      }
      int i = Integer.parseInt(k.substring(vip.length() + 1));
      lag[i] = System.nanoTime() - sentAt[i];
      synchronized (this) {
        received++;
      }
    }
  }

  private static final class Run {
    private final int total;
    private final int kills;
    private final List<ReplicatedStickTable> open = new ArrayList<>();

    Run(int total, int kills) {
      this.total = total;
      this.kills = kills;
    }

    private ReplicatedStickTable start(InetSocketAddress bind, InetSocketAddress peer, String name)
        throws Exception {
      ReplicatedStickTable t = ReplicatedStickTable.start(bind, peer, KEY, name);
      open.add(t);
      return t;
    }

    void run() throws Exception {
      try {
        measure();
      } finally {
        open.forEach(ReplicatedStickTable::close);
      }
    }

    private void measure() throws Exception {
      InetSocketAddress a = loopback(freePort());
      InetSocketAddress b = loopback(freePort());
      long heapEmpty = usedHeapAfterGc();
      ReplicatedStickTable one = start(a, b, "lb1");
      ReplicatedStickTable two = start(b, a, "lb2");
      while (one.members() < 2 || two.members() < 2) {
        Thread.sleep(10);
      }
      long heapStarted = usedHeapAfterGc();

      // The JIT compiles the write and receive paths first, as on a node that has been running.
      pacedLag(one, two, "warmup");
      one.clear("warmup");
      int first = Math.min(100_000, total);
      double rate100k = fill(one, 0, first);
      double lag100k = pacedLag(one, two, "lag100k");
      long bytesBefore = one.replication().bytesSent() + two.replication().bytesSent();
      double rate1m = fill(one, first, total);
      double bytesPerWrite =
          (one.replication().bytesSent() + two.replication().bytesSent() - bytesBefore)
              / (double) (total - first);
      awaitArrived(two, total + PACED_WRITES);
      double lag1m = pacedLag(one, two, "lag1m");
      long heapFull = usedHeapAfterGc();
      long entries = one.size() + two.size();
      double bytesPerEntry = (heapFull - heapStarted) / (double) entries;
      System.out.printf(
          "records: %.0f/s up to %d entries, %.0f/s from %d to %d (one writer thread, all"
              + " acknowledged by the peer)%n",
          rate100k, first, rate1m, first, total);
      System.out.printf(
          "link: %.0f bytes per write, both directions (entry, acknowledgement, heartbeats)%n",
          bytesPerWrite);
      System.out.printf(
          "heap: %d MiB for two empty nodes, +%d MiB for %d entries (%d on each node): %.0f"
              + " bytes per entry%n",
          (heapStarted - heapEmpty) >> 20,
          (heapFull - heapStarted) >> 20,
          entries,
          one.size(),
          bytesPerEntry);

      two.close();
      open.remove(two);
      long t0 = System.nanoTime();
      ReplicatedStickTable three = start(loopback(freePort()), a, "lb3");
      double transferS = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "transfer: a joining node held all %d entries %.2f s after it started%n",
          three.size(), transferS);
      if (three.size() != one.size()) {
        throw new IllegalStateException(
            "the joining node holds " + three.size() + " of " + one.size() + " entries");
      }
      three.close();
      open.remove(three);
      one.close();
      open.remove(one);

      double worstLoss = 0;
      for (int k = 0; k < kills; k++) {
        worstLoss = Math.max(worstLoss, lossOnKill(k));
      }
      System.out.printf(
          "kill -9 while writing at %d/s, %d times: every entry written more than %.1f ms before"
              + " the kill was on the survivor%n",
          PACED_RATE, kills, worstLoss);
      System.out.printf(
          "stick_puts_per_s=%.0f lag_p99_ms=%.2f bytes_per_entry=%.0f transfer_1m_s=%.2f"
              + " loss_window_ms=%.1f%n",
          rate1m, Math.max(lag100k, lag1m), bytesPerEntry, transferS, worstLoss);
    }

    /** Writes entries {@code from} to {@code to} as fast as the peer takes them; writes/s. */
    private double fill(ReplicatedStickTable t, int from, int to) {
      long now = System.currentTimeMillis();
      long t0 = System.nanoTime();
      for (int i = from; i < to; i++) {
        while (t.writesInFlight() >= MAX_IN_FLIGHT) {
          Thread.onSpinWait();
        }
        t.record("pacs", client(i), (i & 1) == 0 ? "pacs1" : "pacs2", HOUR, now);
      }
      awaitAcknowledged(t);
      return (to - from) / ((System.nanoTime() - t0) / 1e9);
    }

    private void awaitArrived(ReplicatedStickTable t, long size) throws InterruptedException {
      while (t.size() < size) {
        Thread.sleep(10);
      }
    }

    /** Writes at a steady rate and measures each entry's way to the peer; the p99 in ms. */
    private double pacedLag(ReplicatedStickTable from, ReplicatedStickTable to, String vip)
        throws InterruptedException {
      long entries = from.size();
      long[] sentAt = new long[PACED_WRITES];
      long[] callerNanos = new long[PACED_WRITES];
      Arrivals arrivals = new Arrivals(vip, sentAt);
      to.cache().addListener(arrivals);
      long now = System.currentTimeMillis();
      long start = System.nanoTime();
      long gap = 1_000_000_000L / PACED_RATE;
      for (int i = 0; i < PACED_WRITES; i++) {
        long due = start + i * gap;
        awaitDue(due);
        sentAt[i] = System.nanoTime();
        from.record(vip, Integer.toString(i), "pacs1", HOUR, now);
        callerNanos[i] = System.nanoTime() - sentAt[i];
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (arrivals.received < PACED_WRITES && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      to.cache().removeListener(arrivals);
      double p50 = percentile(arrivals.lag, PACED_WRITES, 50);
      double p99 = percentile(arrivals.lag, PACED_WRITES, 99);
      double max = percentile(arrivals.lag, PACED_WRITES, 100);
      System.out.printf(
          "lag at %d writes/s with %d entries: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d of %d"
              + " arrived); the writing thread spent p99 %.1f us, max %.1f us in a write%n",
          PACED_RATE,
          entries,
          p50,
          p99,
          max,
          arrivals.received,
          PACED_WRITES,
          percentile(callerNanos, PACED_WRITES, 99) * 1000,
          percentile(callerNanos, PACED_WRITES, 100) * 1000);
      return p99;
    }

    /**
     * A writer in its own JVM joins a survivor here, writes at a steady rate and is killed with
     * SIGKILL; the age of the newest entry that arrived, at the kill, in ms.
     */
    private double lossOnKill(int round) throws Exception {
      int survivorPort = freePort();
      int writerPort = freePort();
      ReplicatedStickTable survivor =
          start(loopback(survivorPort), loopback(writerPort), "survivor" + round);
      String vip = "kill" + round;
      Process writer =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  StickBench.class.getName(),
                  "writer",
                  Integer.toString(writerPort),
                  Integer.toString(survivorPort),
                  vip)
              .redirectErrorStream(true)
              .start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.equals("writing")) {
        // the writer's log until it has joined
      }
      if (line == null) {
        throw new IllegalStateException("the writer ended before it wrote");
      }
      Thread drain =
          new Thread(
              () -> {
                try {
                  while (out.readLine() != null) {
                    // keeps the writer's pipe from filling up
                  }
                } catch (java.io.IOException e) {
                  // the writer was killed
                }
              });
      drain.setDaemon(true);
      drain.start();
      Thread.sleep(1000 + ThreadLocalRandom.current().nextInt(2000));
      long killedAt = System.currentTimeMillis();
      writer.destroyForcibly().waitFor();
      while (survivor.members() > 1) {
        Thread.sleep(10);
      }
      // Each entry names the time it was written instead of a server. Writes of one node reach
      // the peer in order per key owner, not overall: a later one may be there and an earlier one
      // lost. The bound is the write just before the first one missing: it and all before it
      // arrived.
      java.util.TreeMap<Integer, Long> writtenAt = new java.util.TreeMap<>();
      survivor
          .list(vip, System.currentTimeMillis())
          .forEach((k, e) -> writtenAt.put(Integer.parseInt(k), Long.parseLong(e.server())));
      int firstMissing = 0;
      while (writtenAt.containsKey(firstMissing)) {
        firstMissing++;
      }
      if (firstMissing == 0) {
        throw new IllegalStateException("the survivor received none of the writer's entries");
      }
      int after = writtenAt.tailMap(firstMissing).size();
      double window = killedAt - writtenAt.get(firstMissing - 1);
      System.out.printf(
          "kill %d: entries 0-%d arrived (and %d later ones past a gap); all written more than"
              + " %.0f ms before the kill arrived%n",
          round + 1, firstMissing - 1, after, window);
      survivor.close();
      open.remove(survivor);
      return window;
    }
  }

  /** The writer process: joins the survivor and writes at a steady rate until it is killed. */
  private static void writer(int port, int survivorPort, String vip) throws Exception {
    ReplicatedStickTable t =
        ReplicatedStickTable.start(loopback(port), loopback(survivorPort), KEY, "writer");
    while (t.members() < 2) {
      Thread.sleep(10);
    }
    System.out.println("writing");
    System.out.flush();
    long gap = 1_000_000_000L / PACED_RATE;
    long start = System.nanoTime();
    for (int i = 0; ; i++) {
      long due = start + i * gap;
      awaitDue(due);
      long now = System.currentTimeMillis();
      t.record(vip, Integer.toString(i), Long.toString(now), HOUR, now);
    }
  }
}
