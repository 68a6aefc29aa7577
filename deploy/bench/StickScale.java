import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.lbctl.persistence.StickStack;

/**
 * How the stick table scales to a cluster (issue 21: replicated, or distributed with two owners?),
 * compiled and run with lbctl.jar on the class path by deploy/bench/sticks.sh (its members are
 * processes started with the same class path):
 *
 * <pre>
 *   drive MODE ENTRIES NODES   starts NODES node processes on loopback with the stick table's own
 *                              JGroups stack (TCP, AES-GCM, TCPPING) and cache settings in MODE
 *                              (repl | dist), writes ENTRIES from the first, and prints:
 *                              load_s, converge_s (until every node holds what it should),
 *                              bytes_per_entry (heap after GC, per entry a node holds, averaged),
 *                              put_p50_us/put_p99_us (one synchronous put at a time from another
 *                              node), catchup_s (a node that joins with ENTRIES in the table, from
 *                              its start until it holds its share, less an empty join's time)
 *   node NAME PORT PORTS MODE  one member; commands on stdin: load N, count, heap, latency N, quit
 * </pre>
 *
 * Entries look like the table's: key "vip NUL client-address", value a server label, a lifespan.
 */
public class StickScale {
  static final int BASE = 17781;
  static final int STEP = 10; // FD_SOCK2 listens 100 above each port, with a range of 2

  public static void main(String[] args) throws Exception {
    if (args[0].equals("node")) {
      node(args[1], Integer.parseInt(args[2]), args[3], args[4]);
    } else {
      drive(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    }
  }

  // --- the driver

  static final class Member implements AutoCloseable {
    final Process process;
    final PrintWriter in;
    final BufferedReader out;
    final long readyMillis;

    Member(String name, int port, String ports, String mode) throws IOException {
      long start = System.nanoTime();
      process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx3g",
                  "-XX:+UseG1GC",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "StickScale",
                  "node",
                  name,
                  Integer.toString(port),
                  ports,
                  mode)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      in = new PrintWriter(process.getOutputStream(), true);
      out = new BufferedReader(new InputStreamReader(process.getInputStream()));
      String ready = out.readLine();
      if (!"ready".equals(ready)) {
        throw new IOException(name + " did not start: " + ready);
      }
      readyMillis = (System.nanoTime() - start) / 1_000_000;
    }

    String ask(String command) throws IOException {
      in.println(command);
      String answer = out.readLine();
      if (answer == null) {
        throw new IOException("a member went away after '" + command + "'");
      }
      return answer;
    }

    long number(String command) throws IOException {
      return Long.parseLong(ask(command).trim());
    }

    @Override
    public void close() {
      in.println("quit");
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
  }

  static void drive(String mode, int entries, int nodes) throws Exception {
    StringBuilder ports = new StringBuilder();
    for (int i = 0; i <= nodes; i++) {
      ports.append(i == 0 ? "" : ",").append(BASE + i * STEP);
    }
    List<Member> members = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        members.add(new Member("n" + (i + 1), BASE + i * STEP, ports.toString(), mode));
      }
      long emptyJoin = members.get(nodes - 1).readyMillis;
      long[] baseline = new long[nodes];
      for (int i = 0; i < nodes; i++) {
        baseline[i] = members.get(i).number("heap");
      }
      long t0 = System.nanoTime();
      long failed = members.get(0).number("load " + entries);
      double load = (System.nanoTime() - t0) / 1e9;
      // Each node holds every entry (repl) or its share of two copies of each (dist); a put that
      // timed out may have landed on some members only.
      long copies = (mode.equals("repl") ? (long) nodes : 2L) * (entries - failed);
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
      while (total(members) < copies) {
        if (System.nanoTime() > deadline) {
          throw new IOException("the members hold " + total(members) + " of " + copies);
        }
        Thread.sleep(100); // polling another process's count
      }
      double converge = (System.nanoTime() - t0) / 1e9 - load;
      long held = 0;
      long grown = 0;
      for (int i = 0; i < nodes; i++) {
        held += members.get(i).number("count");
        grown += members.get(i).number("heap") - baseline[i];
      }
      String latency = members.get(1).ask("latency 20000");
      long joinStart = System.nanoTime();
      Member late = new Member("n" + (nodes + 1), BASE + nodes * STEP, ports.toString(), mode);
      members.add(late);
      long expected = mode.equals("repl") ? entries : 2L * entries / (nodes + 1) * 9 / 10;
      while (late.number("count") < expected) {
        if (System.nanoTime() > deadline + TimeUnit.MINUTES.toNanos(10)) {
          throw new IOException("the new member holds " + late.number("count") + " of " + expected);
        }
        Thread.sleep(50); // polling the new member's count
      }
      double catchup = ((System.nanoTime() - joinStart) / 1e6 - emptyJoin) / 1e3;
      System.out.printf(
          "mode=%s nodes=%d entries=%d failed_puts=%d load_s=%.2f converge_s=%.2f"
              + " bytes_per_entry=%d %s catchup_s=%.2f%n",
          mode, nodes, entries, failed, load, converge, grown / Math.max(1, held), latency,
          Math.max(0, catchup));
    } finally {
      members.forEach(Member::close);
    }
  }

  static long total(List<Member> members) throws IOException {
    long sum = 0;
    for (Member m : members) {
      sum += m.number("count");
    }
    return sum;
  }

  // --- a member

  static void node(String name, int port, String ports, String mode) throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    List<InetSocketAddress> peers =
        Arrays.stream(ports.split(","))
            .map(p -> new InetSocketAddress(lo, Integer.parseInt(p)))
            .toList();
    JChannel channel =
        new JChannel(
            StickStack.protocols(
                new InetSocketAddress(lo, port), peers, new SecretKeySpec(new byte[32], "AES")));
    channel.setName(name);
    ConfigurationBuilderHolder holder = new ConfigurationBuilderHolder();
    GlobalConfigurationBuilder global = holder.getGlobalConfigurationBuilder();
    global.transport().transport(new JGroupsTransport(channel)).clusterName("bench").nodeName(name);
    global.jmx().disable();
    global.cacheContainer().statistics(false);
    ConfigurationBuilder cfg = holder.newConfigurationBuilder("stick");
    cfg.clustering()
        .cacheMode(mode.equals("repl") ? CacheMode.REPL_SYNC : CacheMode.DIST_SYNC)
        .hash()
        .numOwners(2)
        .stateTransfer()
        .awaitInitialTransfer(true)
        .timeout(300_000);
    DefaultCacheManager manager = new DefaultCacheManager(holder, true);
    Cache<String, String> cache = manager.getCache("stick");
    PrintWriter out = new PrintWriter(System.out, true);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    out.println("ready");
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] c = line.split(" ");
      switch (c[0]) {
        case "load" -> {
          // Bounded in flight, as the table's writer thread keeps its queue bounded.
          Semaphore window = new Semaphore(1024);
          int n = Integer.parseInt(c[1]);
          java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
          for (int i = 0; i < n; i++) {
            window.acquire();
            CompletableFuture<String> f =
                cache
                    .getAdvancedCache()
                    .withFlags(Flag.IGNORE_RETURN_VALUES)
                    .putAsync(key(name, i), "rs" + (i % 8), 30, TimeUnit.MINUTES);
            f.whenComplete(
                (v, e) -> {
                  if (e != null) {
                    failed.incrementAndGet();
                  }
                  window.release();
                });
          }
          window.acquire(1024);
          out.println(failed.get());
        }
        case "count" ->
            out.println(cache.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).size());
        case "heap" -> {
          for (int i = 0; i < 3; i++) {
            System.gc();
          }
          Runtime r = Runtime.getRuntime();
          out.println(r.totalMemory() - r.freeMemory());
        }
        case "latency" -> {
          int n = Integer.parseInt(c[1]);
          long[] nanos = new long[n];
          for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            cache
                .getAdvancedCache()
                .withFlags(Flag.IGNORE_RETURN_VALUES)
                .put(key("lat" + name, i), "rs1", 30, TimeUnit.MINUTES);
            nanos[i] = System.nanoTime() - t;
          }
          Arrays.sort(nanos);
          out.printf("put_p50_us=%d put_p99_us=%d%n", nanos[n / 2] / 1000, nanos[n * 99 / 100] / 1000);
        }
        case "quit" -> {
          manager.stop();
          out.println("bye");
          System.exit(0);
        }
        default -> out.println("unknown command " + line);
      }
    }
    manager.stop();
  }

  static String key(String writer, int i) {
    // A client address per entry, as the table keys source-IP persistence.
    return "pacs\0" + "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)
        + "#" + writer;
  }
}
