package org.lbctl.core.l4;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.lbctl.core.l4.L4Ruleset.CounterKey;
import org.lbctl.core.l4.L4Ruleset.Rendered;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's layer 4 rules in step with the node: while it serves (alone, or active in a
 * pair) the table holds every layer 4 NAT VIP as its real servers' health and admin states now
 * allow; passive or stopped, the table is gone. Changes are applied when asked ({@link #refresh})
 * and checked every second besides; nft runs only when the rendered document changed. One thread
 * does all of it, so nothing here ever runs on an event loop.
 */
public final class L4DataPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(L4DataPlane.class);
  private static final String UNKNOWN = "(what an earlier run left)";

  private final Supplier<Collection<VirtualServiceRuntime>> services;
  private final BooleanSupplier serving;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("lb-nft", true));
  private final AtomicBoolean pending = new AtomicBoolean();
  // The document in the kernel: UNKNOWN until this node has applied or removed one, null for none.
  private String applied = UNKNOWN;
  private Map<String, Integer> servingCounts = Map.of();
  private volatile Map<String, CounterKey> counterNames = Map.of();
  // Counts of the tables this node replaced: a new table's counters start from zero.
  private final Map<CounterKey, NftTable.Count> carried = new HashMap<>();
  private long failures;

  public L4DataPlane(
      Supplier<Collection<VirtualServiceRuntime>> services, BooleanSupplier serving) {
    this.services = services;
    this.serving = serving;
  }

  /** Brings the table in step now and then every second. */
  public void start() {
    syncNow();
    thread.scheduleWithFixedDelay(this::sync, 1, 1, TimeUnit.SECONDS);
  }

  /** Brings the table in step soon (coalesced). */
  public void refresh() {
    if (pending.compareAndSet(false, true)) {
      thread.execute(this::sync);
    }
  }

  /** Brings the table in step before returning: a node taking over has its rules in place. */
  public void syncNow() {
    try {
      thread.submit(this::sync).get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.error("layer 4: cannot bring the nftables rules in step: {}", e.toString());
    }
  }

  private void sync() {
    pending.set(false);
    try {
      Rendered r = L4Ruleset.render(services.get());
      boolean wanted = serving.getAsBoolean() && !r.serving().isEmpty();
      if (!wanted) {
        if (applied == UNKNOWN) {
          // A table an earlier run left (kill -9): gone before this node may be passive with it.
          removeQuietly();
          applied = null;
        }
        if (applied != null) {
          carry();
          NftTable.remove(L4Ruleset.TABLE);
          log.info("layer 4: table inet {} removed (this node does not serve)", L4Ruleset.TABLE);
          applied = null;
          servingCounts = Map.of();
        }
        return;
      }
      if (r.text().equals(applied)) {
        return;
      }
      carry();
      long start = System.nanoTime();
      NftTable.apply(r.text());
      counterNames = r.counters();
      if (!r.serving().equals(servingCounts)) {
        log.info(
            "layer 4: rules applied in {} ms: {}",
            (System.nanoTime() - start) / 1_000_000,
            describe(r.serving()));
      }
      applied = r.text();
      servingCounts = r.serving();
      failures = 0;
    } catch (IOException | RuntimeException e) {
      // The kernel keeps the last rules that applied; the next tick tries again.
      if (failures++ % 60 == 0) {
        log.error(
            "layer 4: cannot apply the nftables rules (the previous rules stay; retrying every"
                + " second, {} failures so far): {}",
            failures,
            e.getMessage());
      }
    }
  }

  private static String describe(Map<String, Integer> serving) {
    StringBuilder s = new StringBuilder();
    serving.forEach(
        (vip, n) -> {
          if (!s.isEmpty()) {
            s.append("; ");
          }
          s.append(vip).append(": ");
          s.append(
              n > 0
                  ? n + " real server(s) take new flows"
                  : n < 0 ? "FALLBACK takes all new flows" : "NOTHING takes new flows (refused)");
        });
    return s.toString();
  }

  /** Adds what the table now holds to the counts carried over, before it is replaced. */
  private void carry() throws IOException {
    Map<String, CounterKey> names = counterNames;
    if (names.isEmpty()) {
      return;
    }
    Map<String, NftTable.Count> live = NftTable.counters(L4Ruleset.TABLE);
    synchronized (carried) {
      add(carried, live, names);
    }
  }

  private static void add(
      Map<CounterKey, NftTable.Count> into,
      Map<String, NftTable.Count> live,
      Map<String, CounterKey> names) {
    live.forEach(
        (name, c) -> {
          CounterKey key = names.get(name);
          if (key != null) {
            into.merge(
                key,
                c,
                (a, b) -> new NftTable.Count(a.packets() + b.packets(), a.bytes() + b.bytes()));
          }
        });
  }

  /**
   * Packets and bytes per VIP (server null) and real server since this node started, both
   * directions; reads the kernel's counters.
   */
  public Map<CounterKey, NftTable.Count> counts() throws IOException {
    Map<String, CounterKey> names = counterNames;
    Map<CounterKey, NftTable.Count> total = new HashMap<>();
    synchronized (carried) {
      total.putAll(carried);
    }
    add(total, NftTable.counters(L4Ruleset.TABLE), names);
    return total;
  }

  private static void removeQuietly() {
    try {
      NftTable.remove(L4Ruleset.TABLE);
    } catch (IOException e) {
      // No nft, no table of ours.
    }
  }

  /** Stops following and removes the table. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
      if (applied != null) {
        NftTable.remove(L4Ruleset.TABLE);
        log.info("layer 4: table inet {} removed (node stopping)", L4Ruleset.TABLE);
      }
    } catch (IOException e) {
      log.warn("layer 4: cannot remove table inet {}: {}", L4Ruleset.TABLE, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
