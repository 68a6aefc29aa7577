package org.lbctl.persistence;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.SecretKey;
import org.infinispan.AdvancedCache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.container.DataContainer;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.protocols.MsgStats;
import org.jgroups.protocols.TP;
import org.lbctl.core.persistence.StickEntry;
import org.lbctl.core.persistence.StickTable;
import org.lbctl.core.status.StickSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stick table of a pair: an Infinispan replicated cache over {@link StickStack}, so the node
 * that takes over finds every client's entry. Reads are local. Writes never wait for the peer: the
 * caller queues them to one writer thread, which sends them asynchronously; a refresh that would
 * move an entry's expiry by less than a tenth of its timeout (at least a second) is not sent at
 * all, so busy clients do not flood the link. A node that joins receives the whole table before
 * {@link #start} returns. After the peer dies the survivor stays writable (two nodes never make a
 * majority); when they meet again, an entry present on one side wins over an absent one.
 *
 * <p>Entries are stored as text (the server's label under {@code vip \0 key}), which Infinispan
 * marshals without a schema; the entry's lifespan is its expiry. On the node that wrote an entry
 * the label is the real server's own string, shared by all its entries.
 */
public final class ReplicatedStickTable implements StickTable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicatedStickTable.class);
  static final String CACHE = "stick";
  // Each node's digest of its real-server lists, by node name: compared at join and on changes.
  static final String SERVERS_CACHE = "servers";
  private static final long MIN_REFRESH_MILLIS = 1000;
  private static final long CLEAR_WAIT_SECONDS = 10;
  private static final int WRITE_QUEUE = 65_536;
  private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final DefaultCacheManager manager;
  private final AdvancedCache<String, String> cache;
  // Reads, scans and counts from this node's copy only: every node holds the whole table, and an
  // event loop must never wait for the peer, not even during a topology change.
  private final AdvancedCache<String, String> local;
  private final DataContainer<String, String> container;
  private final AdvancedCache<String, String> servers;
  private final JChannel channel;
  private final InetSocketAddress peer;
  private final String nodeName;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong coalesced = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final LagWindow lags = new LagWindow(1024);
  // Entries written here and not yet in the cache: this node reads its own writes at once.
  private final Map<String, StickEntry> pending = new ConcurrentHashMap<>();
  private final AtomicLong lastFailureLog = new AtomicLong();
  private final AtomicLong unloggedFailures = new AtomicLong();
  // Writes leave the event loops through this one thread: a connection never waits for
  // marshalling, flow control or a stalled peer. When the peer stalls for long the queue fills and
  // further writes are dropped (and counted) rather than held.
  private final ThreadPoolExecutor writer =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(WRITE_QUEUE),
          r -> {
            Thread t = new Thread(r, "stick-writer");
            t.setDaemon(true);
            return t;
          },
          (r, pool) -> {
            String full = "the queue of " + WRITE_QUEUE + " writes to the peer is full";
            if (r instanceof Write w) {
              w.done(full);
            } else {
              throw new RejectedExecutionException(full);
            }
          });
  private final AtomicReference<Boolean> serversMatch = new AtomicReference<>();

  private ReplicatedStickTable(
      DefaultCacheManager manager, JChannel channel, InetSocketAddress peer, String nodeName) {
    this.manager = manager;
    this.cache = manager.<String, String>getCache(CACHE).getAdvancedCache();
    this.local = cache.withFlags(Flag.CACHE_MODE_LOCAL);
    this.container = cache.getDataContainer();
    this.servers = manager.<String, String>getCache(SERVERS_CACHE).getAdvancedCache();
    this.channel = channel;
    this.peer = peer;
    this.nodeName = nodeName;
    servers.addListener(new ServersListener());
  }

  /**
   * Joins the peer's table (or founds it) and returns once this node holds the whole table.
   *
   * @param bind this node's address and port (TCP, 7778 by default)
   * @param peer the other node's
   */
  public static ReplicatedStickTable start(
      InetSocketAddress bind, InetSocketAddress peer, SecretKey key, String nodeName)
      throws Exception {
    return start(bind, List.of(peer), key, nodeName);
  }

  /**
   * Joins the table of a cluster's members (or founds it) and returns once this node holds the
   * whole table: every member holds every entry, so whichever takes a group over reads locally.
   *
   * @param peers the other members' addresses and ports; the status names the first
   */
  public static ReplicatedStickTable start(
      InetSocketAddress bind, List<InetSocketAddress> peers, SecretKey key, String nodeName)
      throws Exception {
    InetSocketAddress peer = peers.isEmpty() ? bind : peers.get(0);
    JChannel channel = new JChannel(StickStack.protocols(bind, peers, key));
    channel.setName(nodeName);
    TP transport = channel.getProtocolStack().getTransport();
    transport.enableStats(true);
    transport.getMessageStats().enable(true);
    // Through a holder: a GlobalConfiguration handed to DefaultCacheManager is read again and loses
    // the channel, and Infinispan then opens its default UDP multicast stack instead (found by
    // the test with another secret, which joined).
    ConfigurationBuilderHolder holder = new ConfigurationBuilderHolder();
    GlobalConfigurationBuilder global = holder.getGlobalConfigurationBuilder();
    global
        .transport()
        .transport(new JGroupsTransport(channel))
        .clusterName("lbctl-stick")
        .nodeName(nodeName);
    global.jmx().disable();
    global.cacheContainer().statistics(false);
    ConfigurationBuilder cfg = holder.newConfigurationBuilder(CACHE);
    cfg.clustering()
        .cacheMode(CacheMode.REPL_SYNC)
        .stateTransfer()
        .awaitInitialTransfer(true)
        .fetchInMemoryState(true)
        .timeout(60_000)
        .partitionHandling()
        .whenSplit(PartitionHandling.ALLOW_READ_WRITES)
        .mergePolicy(MergePolicy.PREFERRED_NON_NULL);
    cfg.expiration().wakeUpInterval(10, TimeUnit.SECONDS);
    holder.newConfigurationBuilder(SERVERS_CACHE).read(cfg.build());
    DefaultCacheManager manager = new DefaultCacheManager(holder, false);
    try {
      manager.start();
      ReplicatedStickTable table = new ReplicatedStickTable(manager, channel, peer, nodeName);
      log.info(
          "stick table: replicated over TCP {}:{} with {}, {} entries at start",
          bind.getAddress().getHostAddress(),
          bind.getPort(),
          peers.stream().map(p -> p.getAddress().getHostAddress()).toList(),
          table.size());
      return table;
    } catch (Exception | Error e) {
      manager.stop();
      throw e;
    }
  }

  /**
   * The members changed: discovery asks {@code peers} (the other members' stick-table addresses)
   * from now on, so the table merges again with a member that joined after this one started.
   */
  public void discoverAt(List<InetSocketAddress> peers) {
    org.jgroups.protocols.TCPPING ping =
        channel.getProtocolStack().findProtocol(org.jgroups.protocols.TCPPING.class);
    if (ping != null) {
      ping.setInitialHosts(peers);
    }
  }

  private static String id(String vip, String key) {
    return vip + '\0' + key;
  }

  /** The value is the server's label alone; the expiry is the entry's lifespan. */
  private static StickEntry decode(CacheEntry<String, String> stored) {
    return new StickEntry(stored.getValue(), stored.getCreated() + stored.getLifespan());
  }

  private Optional<StickEntry> live(String id, long nowMillis) {
    StickEntry e = pending.get(id);
    if (e == null) {
      // Straight from this node's data container: a map lookup, without the interceptor chain
      // that a cache read runs (tens of microseconds on an event loop).
      CacheEntry<String, String> stored = container.peek(id);
      if (stored == null) {
        return Optional.empty();
      }
      e = decode(stored);
    }
    return e.expired(nowMillis) ? Optional.empty() : Optional.of(e);
  }

  @Override
  public Optional<StickEntry> lookup(String vip, String key, long nowMillis) {
    return live(id(vip, key), nowMillis);
  }

  @Override
  public void record(String vip, String key, String server, Duration timeout, long nowMillis) {
    String id = id(vip, key);
    long expires = nowMillis + timeout.toMillis();
    Optional<StickEntry> old = live(id, nowMillis);
    long step = Math.max(MIN_REFRESH_MILLIS, timeout.toMillis() / 10);
    // A refresh that pushes the expiry on by little waits; one that brings it forward (a closed
    // flow, a shorter timeout) goes out.
    if (old.isPresent()
        && old.get().server().equals(server)
        && expires >= old.get().expiresAtMillis()
        && expires - old.get().expiresAtMillis() < step) {
      coalesced.incrementAndGet();
      return;
    }
    sent.incrementAndGet();
    inFlight.incrementAndGet();
    long queued = System.nanoTime();
    StickEntry entry = new StickEntry(server, expires);
    pending.put(id, entry);
    writer.execute(new Write(id, entry, timeout, queued));
  }

  /** One entry on its way from the caller through the writer thread to both nodes. */
  private final class Write implements Runnable {
    private final String id;
    private final StickEntry entry;
    private final Duration timeout;
    private final long queuedNanos;

    Write(String id, StickEntry entry, Duration timeout, long queuedNanos) {
      this.id = id;
      this.entry = entry;
      this.timeout = timeout;
      this.queuedNanos = queuedNanos;
    }

    /** On the writer thread: hands the entry to Infinispan, which replicates it. */
    @Override
    public void run() {
      try {
        cache
            .withFlags(Flag.IGNORE_RETURN_VALUES)
            .putAsync(id, entry.server(), timeout.toMillis(), TimeUnit.MILLISECONDS)
            .whenComplete(
                (v, t) -> {
                  if (t == null) {
                    lags.record(System.nanoTime() - queuedNanos);
                  }
                  done(t == null ? null : t.toString());
                });
      } catch (RuntimeException e) {
        done(e.toString());
      }
    }

    /** The entry is in the table (failure null) or will not be. */
    void done(String failure) {
      // Only this write's own entry: a newer one for the same key stays pending.
      pending.remove(id, entry);
      inFlight.decrementAndGet();
      if (failure != null) {
        writeFailed(failure);
      }
    }
  }

  /** Counts a write that did not reach the peer; logs at most every 10 s, with the count. */
  private void writeFailed(String why) {
    failed.incrementAndGet();
    unloggedFailures.incrementAndGet();
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if ((last == 0 || now - last > FAILURE_LOG_INTERVAL_NANOS)
        && lastFailureLog.compareAndSet(last, now)) {
      log.warn(
          "stick table: {} writes did not reach the peer (latest: {}); those clients stick on"
              + " this node only and may be balanced afresh after a failover",
          unloggedFailures.getAndSet(0),
          why);
    }
  }

  @Override
  public void touch(String vip, String key, Duration timeout, long nowMillis) {
    lookup(vip, key, nowMillis).ifPresent(e -> record(vip, key, e.server(), timeout, nowMillis));
  }

  @Override
  public int expire(long nowMillis) {
    // Infinispan drops entries at the end of their lifespan on both nodes.
    return 0;
  }

  @Override
  public Map<String, StickEntry> list(String vip, long nowMillis) {
    String prefix = vip + '\0';
    Map<String, StickEntry> out = new TreeMap<>();
    try (var entries = local.cacheEntrySet().stream()) {
      entries
          .filter(c -> c.getKey().startsWith(prefix))
          .forEach(
              c -> {
                StickEntry e = decode(c);
                if (!e.expired(nowMillis)) {
                  out.put(c.getKey().substring(prefix.length()), e);
                }
              });
    }
    return out;
  }

  /**
   * Removes the entries on both nodes, all at once rather than one round trip each, and waits for
   * them (an operator asked, or a reload removed the virtual service): never on an event loop.
   */
  @Override
  public int clear(String vip) {
    String prefix = vip + '\0';
    awaitQueuedWrites();
    pending.keySet().removeIf(k -> k.startsWith(prefix));
    List<CompletableFuture<Void>> removals = new ArrayList<>();
    for (String k : local.keySet().stream().filter(k -> k.startsWith(prefix)).toList()) {
      removals.add(cache.withFlags(Flag.IGNORE_RETURN_VALUES).removeAsync(k).thenApply(v -> null));
    }
    try {
      CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
          .get(CLEAR_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn(
          "stick table: clearing {} did not finish on both nodes within {} s: {}",
          vip,
          CLEAR_WAIT_SECONDS,
          e.toString());
    }
    return removals.size();
  }

  /** Lets the writes queued so far reach Infinispan first, so that a clear removes them too. */
  private void awaitQueuedWrites() {
    try {
      writer.submit(() -> {}).get(CLEAR_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      log.warn("stick table: queued writes did not drain before a clear: {}", e.toString());
    }
  }

  @Override
  public java.util.Set<String> virtualServices() {
    java.util.Set<String> vips = new java.util.TreeSet<>();
    local.keySet().forEach(k -> vips.add(k.substring(0, k.indexOf('\0'))));
    return vips;
  }

  @Override
  public long size() {
    return local.size();
  }

  /**
   * Tells the peer this node's digest of its real-server lists (entries name servers by label: two
   * nodes that disagree on the labels would send a client elsewhere after a failover), and compares
   * it with the peer's. A difference is logged as a warning and shown in the status.
   */
  public void announceServers(String digest) {
    servers
        .withFlags(Flag.IGNORE_RETURN_VALUES)
        .putAsync(nodeName, digest)
        .whenComplete((v, t) -> compareServers());
  }

  /** Compares the digests both nodes announced; logs when the answer changes. */
  private void compareServers() {
    String mine = servers.withFlags(Flag.CACHE_MODE_LOCAL).get(nodeName);
    Optional<Map.Entry<String, String>> theirs =
        servers.withFlags(Flag.CACHE_MODE_LOCAL).entrySet().stream()
            .filter(e -> !e.getKey().equals(nodeName))
            .findFirst()
            .map(e -> Map.entry(e.getKey(), e.getValue()));
    if (mine == null || theirs.isEmpty()) {
      return;
    }
    boolean match = mine.equals(theirs.get().getValue());
    Boolean before = serversMatch.getAndSet(match);
    if (before != null && before == match) {
      return;
    }
    if (match) {
      log.info("stick table: the peer ({}) runs the same real-server lists", theirs.get().getKey());
    } else {
      log.warn(
          "stick table: the peer ({}) runs other real-server lists than this node (digest {} here,"
              + " {} there): clients stuck to a server only one node knows are balanced afresh"
              + " after a failover; bring both nodes to the same configuration version",
          theirs.get().getKey(),
          abbreviate(mine),
          abbreviate(theirs.get().getValue()));
    }
  }

  private static String abbreviate(String digest) {
    return digest.length() > 12 ? digest.substring(0, 12) : digest;
  }

  /** How the replication fares, for the status. */
  public StickSummary.Replication replication() {
    double[] ms = lags.sortedMillis();
    MsgStats traffic = channel.getProtocolStack().getTransport().getMessageStats();
    return new StickSummary.Replication(
        peer.getAddress().getHostAddress(),
        peer.getPort(),
        members(),
        sent.get(),
        coalesced.get(),
        failed.get(),
        inFlight.get(),
        LagWindow.percentile(ms, 50),
        LagWindow.percentile(ms, 99),
        ms.length == 0 ? 0 : ms[ms.length - 1],
        ms.length,
        traffic.getNumBytesSent(),
        traffic.getNumBytesReceived(),
        serversMatch.get());
  }

  /** Whether the peer runs the same real-server lists; empty until both nodes have said. */
  public Optional<Boolean> serversMatch() {
    return Optional.ofNullable(serversMatch.get());
  }

  /** Logs a change of the peer's digest as it arrives. */
  @Listener(observation = Listener.Observation.POST)
  public final class ServersListener {
    @CacheEntryCreated
    @CacheEntryModified
    public void changed(CacheEntryEvent<String, String> e) {
      if (!e.getKey().equals(nodeName)) {
        compareServers();
      }
    }
  }

  /** Writes sent and not yet acknowledged by the peer. */
  public long writesInFlight() {
    return inFlight.get();
  }

  /** The replicated cache itself, for benchmarks that watch entries arrive. */
  AdvancedCache<String, String> cache() {
    return cache;
  }

  /** Writes sent to the peer so far. */
  public long sent() {
    return sent.get();
  }

  /** Refreshes not sent because they moved an expiry by too little. */
  public long coalesced() {
    return coalesced.get();
  }

  /** Members of the table's cluster, this node included. */
  public int members() {
    return manager.getMembers() == null ? 1 : manager.getMembers().size();
  }

  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(2, TimeUnit.SECONDS)) {
        log.warn(
            "stick table: {} writes still queued at close were dropped", writer.getQueue().size());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    manager.stop();
  }
}
