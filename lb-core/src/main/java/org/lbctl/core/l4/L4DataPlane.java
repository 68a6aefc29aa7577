package org.lbctl.core.l4;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.l4.L4Ruleset.CounterKey;
import org.lbctl.core.l4.L4Ruleset.Rendered;
import org.lbctl.core.persistence.StickEntry;
import org.lbctl.core.persistence.StickTable;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.lbctl.core.status.StickTableStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's layer 4 rules in step with the node: while it serves (alone, or active in a
 * pair) the tables hold every layer 4 NAT and DR VIP as its real servers' health and admin states
 * now allow; passive or stopped, the tables are gone. Changes are applied when asked ({@link
 * #refresh}) and checked every second besides; nft runs only when the render changed. The kernel's
 * counters are added to the VIPs' and servers' figures every second. One thread does all of it, so
 * nothing here ever runs on an event loop.
 */
public final class L4DataPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(L4DataPlane.class);

  private final Supplier<Collection<VirtualServiceRuntime>> services;
  private final BooleanSupplier serving;
  private final Devices devices = new Devices();
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("lb-nft", true));
  private final AtomicBoolean pending = new AtomicBoolean();
  // What the kernel holds: unknown (replace whole) until this node applied a render.
  private Optional<Rendered> applied = Optional.empty();
  // Whether the tables may be there (an earlier run's, or ours).
  private boolean present = true;
  // Counter values already added to the figures.
  private final Map<String, NftTable.Count> seen = new HashMap<>();
  private long failures;
  // A pair's replicated stick table: the active node copies its kernel's persistent clients into
  // it, and a node taking over loads them into its kernel before it announces the addresses.
  private volatile StickTable replica;
  // What the last fresh apply loaded, for its log line.
  private String importedCounts = "";
  private long flowExportsCapped;
  private long exportFailures;

  /** A replicated client key and flow key, as they may go into an nft document. */
  private static final java.util.regex.Pattern CLIENT =
      java.util.regex.Pattern.compile("[0-9a-fA-F.:]{2,45}");

  private static final java.util.regex.Pattern FLOW =
      java.util.regex.Pattern.compile("([0-9]{1,5}) \\. ([0-9]{1,5}) \\. [0-9a-fA-F.:]{2,45}");

  /** {@link L4Ruleset#FLOW_TIMEOUT}: an idle flow is forgotten after this long. */
  static final Duration FLOW_TIMEOUT =
      org.lbctl.core.config.Durations.parse(L4Ruleset.FLOW_TIMEOUT);

  /**
   * At most this many flows are loaded at a takeover (about 0.1 s per 10,000 measured here); the
   * rest are hashed as if they were new to the node.
   */
  static final int FLOW_IMPORT_LIMIT = 20_000;

  /** {@link L4Ruleset#CLOSING_TIMEOUT}: a flow with no more time left is closing. */
  static final Duration CLOSING = org.lbctl.core.config.Durations.parse(L4Ruleset.CLOSING_TIMEOUT);

  /**
   * A flow's expiry in the replicated table may lag the kernel's by this much (more than the
   * table's own coalescing of refreshes, a tenth of the timeout).
   */
  static final Duration FLOW_EXPIRY_SLACK = Duration.ofMinutes(20);

  /** At most this many flow writes into the replicated table per VIP and second... */
  static final int FLOW_EXPORTS_PER_SECOND = 2_000;

  /** ...and over all VIPs, so that persistence entries always find room in the table's queue. */
  static final int FLOW_EXPORTS_PER_SYNC = 5_000;

  public L4DataPlane(
      Supplier<Collection<VirtualServiceRuntime>> services, BooleanSupplier serving) {
    this.services = services;
    this.serving = serving;
  }

  /**
   * Replicates layer 4 source-IP persistence through {@code table} (a pair's replicated stick
   * table); {@code null} keeps it in this node's kernel only.
   */
  public void replicateTo(StickTable table) {
    this.replica = table;
  }

  /** Brings the tables in step now and then every second. */
  public void start() {
    syncNow();
    thread.scheduleWithFixedDelay(this::sync, 1, 1, TimeUnit.SECONDS);
  }

  /** Brings the tables in step soon (coalesced); after a configuration change, look routes up. */
  public void refresh() {
    if (pending.compareAndSet(false, true)) {
      thread.execute(this::sync);
    }
  }

  /** The configuration changed: interfaces are looked up again. */
  public void configurationChanged() {
    devices.forget();
    refresh();
  }

  /** Brings the tables in step before returning: a node taking over has its rules in place. */
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
      Collection<VirtualServiceRuntime> now = services.get();
      Rendered r = L4Ruleset.render(now, this::device);
      if (!serving.getAsBoolean() || r.isEmpty()) {
        if (present) {
          countsFromTheKernel(now);
          removeTables();
          if (applied.isPresent()) {
            log.info("layer 4: tables {} removed (this node does not serve)", L4Ruleset.TABLE);
          }
          applied = Optional.empty();
          present = false;
        }
        return;
      }
      if (applied.isEmpty() || !same(applied.get(), r)) {
        long start = System.nanoTime();
        boolean fresh = applied.isEmpty();
        String document = r.document(applied) + staleClients(r);
        String imported = fresh ? imports(r) : "";
        if (fresh) {
          warnIfConntrackIsStrict(r);
        }
        if (imported.isEmpty()) {
          NftTable.apply(document);
        } else {
          // One transaction: no packet meets the new rules before the replicated state is in.
          try {
            NftTable.apply(document + imported);
            log.info("layer 4: {}", importedCounts);
          } catch (IOException e) {
            log.error(
                "layer 4: cannot load the replicated persistent clients and flows (the rules go"
                    + " in without them): {}",
                e.getMessage());
            NftTable.apply(document);
          }
        }
        boolean changedServing = applied.isEmpty() || !applied.get().serving().equals(r.serving());
        if (applied.isEmpty()) {
          seen.clear();
        }
        applied = Optional.of(r);
        present = true;
        failures = 0;
        if (changedServing) {
          log.info(
              "layer 4: rules applied in {} ms: {}",
              (System.nanoTime() - start) / 1_000_000,
              describe(r.serving()));
        }
      }
      countsFromTheKernel(now);
      export(r);
    } catch (IOException | RuntimeException e) {
      // The kernel keeps the last rules that applied; the next try replaces the tables whole.
      applied = Optional.empty();
      if (failures++ % 60 == 0) {
        log.error(
            "layer 4: cannot apply the nftables rules (the previous rules stay; retrying every"
                + " second, {} failures so far): {}",
            failures,
            e.getMessage());
      }
    }
  }

  /**
   * Copies persistence entries and flows to the peer. A failure here leaves the rules as they are
   * (it is not a failure to apply them): logged, and tried again in a second.
   */
  private void export(Rendered r) {
    try {
      exportClients(r);
      exportFailures = 0;
    } catch (IOException | RuntimeException e) {
      if (exportFailures++ % 60 == 0) {
        log.error(
            "layer 4: cannot copy persistence entries and flows to the peer ({} times in a row): {};"
                + " a failover now would hash the clients and flows since anew",
            exportFailures,
            e.getMessage());
      }
    }
  }

  /**
   * Deletes the persistence entries of servers that no longer take persistent clients (halted,
   * down, removed): the kernel cannot overwrite an entry, so those clients would otherwise return
   * to their old server when it comes back instead of staying where they were balanced to.
   */
  private String staleClients(Rendered now) throws IOException {
    if (applied.isEmpty()) {
      return "";
    }
    StringBuilder d = new StringBuilder();
    for (var e : now.sticky().entrySet()) {
      L4Ruleset.StickyMap before = applied.get().sticky().get(e.getKey());
      L4Ruleset.StickyMap m = e.getValue();
      if (before == null
          || !before.name().equals(m.name())
          || m.persistent().containsAll(before.persistent())) {
        continue;
      }
      List<String> gone = new ArrayList<>();
      for (NftTable.Element el : NftTable.elements(m.family(), L4Ruleset.TABLE, m.name())) {
        if (!m.persistent().contains(el.value())) {
          gone.add(el.key());
        }
      }
      if (!gone.isEmpty()) {
        log.info(
            "layer 4: vip {}: {} persistent client(s) of servers that no longer take them will be"
                + " balanced anew",
            e.getKey(),
            gone.size());
        d.append("delete element ").append(m.family()).append(' ').append(L4Ruleset.TABLE);
        d.append(' ').append(m.name()).append(" { ").append(String.join(", ", gone));
        d.append(" }\n");
      }
    }
    return d.toString();
  }

  /**
   * Copies the kernel's persistent clients into the replicated table: new ones, moved ones, and
   * ones whose expiry the kernel pushed on by more than a few seconds.
   */
  private void exportClients(Rendered r) throws IOException {
    StickTable table = replica;
    if (table == null) {
      return;
    }
    exportFlows(r, table);
    for (var e : r.sticky().entrySet()) {
      String vip = e.getKey();
      L4Ruleset.StickyMap m = e.getValue();
      long now = System.currentTimeMillis();
      for (NftTable.Element el : NftTable.elements(m.family(), L4Ruleset.TABLE, m.name())) {
        String server = m.marks().get(el.value());
        if (server == null) {
          continue;
        }
        Duration left = Duration.ofMillis(Math.max(1000, el.expiresMillis()));
        Optional<StickEntry> known = table.lookup(vip, el.key(), now);
        if (known.isEmpty() || !known.get().server().equals(server)) {
          table.record(vip, el.key(), server, left, now);
        } else if (Math.abs(known.get().expiresAtMillis() - (now + left.toMillis())) > 5_000) {
          table.touch(vip, el.key(), left, now);
        }
      }
    }
  }

  /** Where a VIP's flows are kept in the replicated table (no label holds a slash). */
  public static String flowsOf(String vip) {
    return vip + "/flows";
  }

  /**
   * Copies the kernel's open flows into the replicated table: new ones, and ones whose expiry moved
   * by more than {@link #FLOW_EXPIRY_SLACK} (a flow the client closed, or one in use long after the
   * table last heard of it); at most {@link #FLOW_EXPORTS_PER_SECOND} writes per VIP.
   */
  private void exportFlows(Rendered r, StickTable table) throws IOException {
    int total = 0;
    for (var e : r.flows().entrySet()) {
      if (total >= FLOW_EXPORTS_PER_SYNC) {
        break;
      }
      String vip = flowsOf(e.getKey());
      L4Ruleset.FlowMap m = e.getValue();
      long now = System.currentTimeMillis();
      int writes = 0;
      for (NftTable.Entry el : NftTable.entries(m.family(), L4Ruleset.TABLE, m.name())) {
        String server = m.serverOf(el.value());
        if (server == null) {
          continue;
        }
        Duration left = Duration.ofMillis(Math.max(1000, el.expiresMillis()));
        Optional<StickEntry> known = table.lookup(vip, el.key(), now);
        if (left.compareTo(CLOSING) <= 0) {
          // Closing (or about to expire): a peer taking over has no use for it. One the peer
          // knows is shortened there; one that opened and closed within a second never goes.
          if (known.isEmpty() || known.get().expiresAtMillis() <= now + CLOSING.toMillis()) {
            continue;
          }
          table.record(vip, el.key(), known.get().server(), left, now);
        } else if (known.isEmpty() || !known.get().server().equals(server)) {
          table.record(vip, el.key(), server, left, now);
        } else if (Math.abs(known.get().expiresAtMillis() - (now + left.toMillis()))
            > FLOW_EXPIRY_SLACK.toMillis()) {
          table.touch(vip, el.key(), left, now);
        } else {
          continue;
        }
        total++;
        if (++writes >= FLOW_EXPORTS_PER_SECOND || total >= FLOW_EXPORTS_PER_SYNC) {
          if (flowExportsCapped++ % 60 == 0) {
            log.warn(
                "layer 4: vip {}: more new or changed flows than the {} a second (all VIPs: {})"
                    + " that go to the peer; the rest go in later seconds, and a failover"
                    + " meanwhile hashes them anew ({} times so far)",
                e.getKey(),
                FLOW_EXPORTS_PER_SECOND,
                FLOW_EXPORTS_PER_SYNC,
                flowExportsCapped);
          }
          break;
        }
      }
    }
  }

  /**
   * The elements that load the replicated persistent clients and open flows into a freshly applied
   * rule set (a node taking over): each client to its server while that one takes persistent
   * clients, each flow to its server while that one is configured, with the time it has left. Empty
   * when there is nothing to load.
   */
  private String imports(Rendered r) {
    StickTable table = replica;
    importedCounts = "";
    if (table == null) {
      return "";
    }
    StringBuilder d = new StringBuilder();
    int clients = 0;
    int flows = 0;
    long now = System.currentTimeMillis();
    for (var e : r.sticky().entrySet()) {
      L4Ruleset.StickyMap m = e.getValue();
      Map<String, Long> markOf = new HashMap<>();
      m.marks().forEach((mark, label) -> markOf.put(label, mark));
      boolean v6 = m.name().startsWith("sticky6_");
      List<String> elements = new ArrayList<>();
      for (var c : table.list(e.getKey(), now).entrySet()) {
        Long mark = markOf.get(c.getValue().server());
        long left = Math.min(c.getValue().expiresAtMillis() - now, m.timeoutMillis());
        if (mark == null
            || !m.persistent().contains(mark)
            || left < 1000
            || c.getKey().contains(":") != v6
            || !CLIENT.matcher(c.getKey()).matches()) {
          continue;
        }
        elements.add(c.getKey() + " expires " + left + "ms : 0x" + Long.toHexString(mark));
      }
      add(d, m.family(), m.name(), elements);
      clients += elements.size();
    }
    int skipped = 0;
    for (var e : r.flows().entrySet()) {
      L4Ruleset.FlowMap m = e.getValue();
      boolean v6 = m.name().contains("flows6_");
      List<String> elements = new ArrayList<>();
      for (var c : table.list(flowsOf(e.getKey()), now).entrySet()) {
        String value = m.values().get(c.getValue().server());
        long left = Math.min(c.getValue().expiresAtMillis() - now, FLOW_TIMEOUT.toMillis());
        if (value == null
            || left <= CLOSING.toMillis()
            || c.getKey().contains(":") != v6
            || !flowKey(c.getKey())) {
          continue;
        }
        if (flows + elements.size() >= FLOW_IMPORT_LIMIT) {
          skipped++;
          continue;
        }
        elements.add(c.getKey() + " expires " + left + "ms : " + value);
      }
      add(d, m.family(), m.name(), elements);
      flows += elements.size();
    }
    if (skipped > 0) {
      log.warn(
          "layer 4: {} more open flows than the {} a takeover loads; they are hashed as new to"
              + " this node and those whose server differs from the hash are reset",
          skipped,
          FLOW_IMPORT_LIMIT);
    }
    importedCounts =
        clients
            + " persistent clients and "
            + flows
            + " open flows loaded from the replicated stick table";
    return d.toString();
  }

  /**
   * NAT flows survive a failover only if conntrack on the new node takes up a connection in its
   * middle ({@code net.netfilter.nf_conntrack_tcp_loose=1}, the kernel's default).
   */
  private static void warnIfConntrackIsStrict(Rendered r) {
    if (r.flows().values().stream().noneMatch(m -> m.family().equals("inet"))) {
      return;
    }
    java.nio.file.Path loose =
        java.nio.file.Path.of("/proc/sys/net/netfilter/nf_conntrack_tcp_loose");
    try {
      if (java.nio.file.Files.readString(loose).strip().equals("0")) {
        log.warn(
            "layer 4: net.netfilter.nf_conntrack_tcp_loose is 0: after a failover this node resets"
                + " every NAT connection that began on the peer; set it to 1 (sysctl) to keep them");
      }
    } catch (IOException e) {
      // No conntrack module loaded yet: it loads with the rules, at its default (1).
    }
  }

  /** "sport . dport . address", both ports real ones. */
  private static boolean flowKey(String key) {
    java.util.regex.Matcher m = FLOW.matcher(key);
    return m.matches()
        && Integer.parseInt(m.group(1)) <= 65_535
        && Integer.parseInt(m.group(2)) <= 65_535;
  }

  private static void add(StringBuilder d, String family, String map, List<String> elements) {
    for (int i = 0; i < elements.size(); i += 1000) {
      d.append("add element ").append(family).append(' ').append(L4Ruleset.TABLE);
      d.append(' ').append(map).append(" { ");
      d.append(String.join(", ", elements.subList(i, Math.min(elements.size(), i + 1000))));
      d.append(" }\n");
    }
  }

  /** A layer 4 VIP's persistent clients as the kernel holds them; empty without persistence. */
  public List<StickTableStatus.Entry> stickyClients(String vip) throws IOException {
    Optional<L4Ruleset.StickyMap> m = stickyMap(vip);
    List<StickTableStatus.Entry> entries = new ArrayList<>();
    if (m.isEmpty()) {
      return entries;
    }
    long now = System.currentTimeMillis();
    for (NftTable.Element el :
        NftTable.elements(m.get().family(), L4Ruleset.TABLE, m.get().name())) {
      entries.add(
          new StickTableStatus.Entry(
              el.key(),
              m.get().marks().getOrDefault(el.value(), "?"),
              java.time.Instant.ofEpochMilli(now + el.expiresMillis()).toString()));
    }
    return entries;
  }

  /** Forgets a layer 4 VIP's persistent clients; how many there were. */
  public int clearStickyClients(String vip) throws IOException {
    Optional<L4Ruleset.StickyMap> m = stickyMap(vip);
    if (m.isEmpty()) {
      return 0;
    }
    int n = NftTable.elements(m.get().family(), L4Ruleset.TABLE, m.get().name()).size();
    NftTable.flushMap(m.get().family(), L4Ruleset.TABLE, m.get().name());
    return n;
  }

  private Optional<L4Ruleset.StickyMap> stickyMap(String vip) {
    try {
      return thread.submit(() -> applied.map(a -> a.sticky().get(vip))).get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | TimeoutException e) {
      return Optional.empty();
    }
  }

  private static boolean same(Rendered a, Rendered b) {
    return a.declarations().equals(b.declarations())
        && a.rules().equals(b.rules())
        && a.objects().equals(b.objects());
  }

  private Optional<String> device(VirtualServiceRuntime runtime) {
    for (Backend b : runtime.backends()) {
      Optional<String> d = devices.towards(b.address().getHostAddress());
      if (d.isPresent()) {
        return d;
      }
    }
    log.warn(
        "layer 4: dr vip {}: no interface routes to its real servers; it is left out",
        runtime.label());
    return Optional.empty();
  }

  private static void removeTables() throws IOException {
    NftTable.remove("inet", L4Ruleset.TABLE);
    NftTable.remove("netdev", L4Ruleset.TABLE);
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

  /** Counters are figures, not rules: failing to read them leaves the rules as they are. */
  private void countsFromTheKernel(Collection<VirtualServiceRuntime> now) {
    try {
      publishCounts(now);
    } catch (IOException | RuntimeException e) {
      log.debug("layer 4: cannot read the kernel's counters: {}", e.toString());
    }
  }

  /** Adds what the kernel counted since the last look to the VIPs' and servers' figures. */
  private void publishCounts(Collection<VirtualServiceRuntime> now) throws IOException {
    if (applied.isEmpty()) {
      return;
    }
    Map<String, CounterKey> names = applied.get().counters();
    Map<String, NftTable.Count> live = NftTable.counters(L4Ruleset.TABLE);
    Map<String, VirtualServiceRuntime> byLabel = new HashMap<>();
    now.forEach(v -> byLabel.put(v.label(), v));
    live.forEach(
        (name, count) -> {
          CounterKey key = names.get(name);
          VirtualServiceRuntime vip = key == null ? null : byLabel.get(key.vip());
          if (vip == null) {
            return;
          }
          NftTable.Count before = seen.getOrDefault(name, new NftTable.Count(0, 0));
          seen.put(name, count);
          // A counter that went down was made anew: all it holds is new.
          long bytes =
              count.bytes() >= before.bytes() ? count.bytes() - before.bytes() : count.bytes();
          long packets =
              count.packets() >= before.packets()
                  ? count.packets() - before.packets()
                  : count.packets();
          add(vip, key, bytes, packets);
        });
  }

  private static void add(VirtualServiceRuntime vip, CounterKey key, long bytes, long packets) {
    if (key.server() == null) {
      switch (key.measure()) {
        case BYTES_IN -> vip.counters().addBytesIn(bytes);
        case BYTES_OUT -> vip.counters().addBytesOut(bytes);
        case NEW_FLOWS -> vip.counters().addFlows(packets);
      }
      return;
    }
    vip.backend(key.server())
        .ifPresent(
            b -> {
              // A server's "in" is what it was sent, as for proxied VIPs' server side.
              switch (key.measure()) {
                case BYTES_IN -> b.state().addBytesIn(bytes);
                case BYTES_OUT -> b.state().addBytesOut(bytes);
                case NEW_FLOWS -> {
                  b.state().addFlows(packets);
                  vip.counters().addFlows(packets);
                }
              }
            });
  }

  /** Stops following and removes the tables. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
      if (present) {
        removeTables();
        if (applied.isPresent()) {
          log.info("layer 4: tables {} removed (node stopping)", L4Ruleset.TABLE);
        }
      }
    } catch (IOException e) {
      log.warn("layer 4: cannot remove tables {}: {}", L4Ruleset.TABLE, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
