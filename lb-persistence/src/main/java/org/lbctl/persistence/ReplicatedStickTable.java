package org.lbctl.persistence;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.SecretKey;
import org.infinispan.AdvancedCache;
import org.infinispan.container.DataContainer;
import org.infinispan.container.entries.CacheEntry;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;
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

  private final DefaultCacheManager manager;
  private final AdvancedCache<String, String> cache;
  // Reads, scans and counts from this node's copy only: every node holds the whole table, and an
  // event loop must never wait for the peer, not even during a topology change.
  private final AdvancedCache<String, String> local;
  private final DataContainer<String, String> container;
  private final JChannel channel;
  private final InetSocketAddress peer;
  private final AtomicLong coalesced = new AtomicLong();
  private final StickWriter writer;
  private final ServerListCheck serverLists;

  private ReplicatedStickTable(
      DefaultCacheManager manager, JChannel channel, InetSocketAddress peer, String nodeName) {
    this.manager = manager;
    this.cache = manager.<String, String>getCache(CACHE).getAdvancedCache();
    this.local = cache.withFlags(Flag.CACHE_MODE_LOCAL);
    this.container = cache.getDataContainer();
    this.channel = channel;
    this.peer = peer;
    this.writer = new StickWriter(cache);
    this.serverLists =
        new ServerListCheck(
            manager.<String, String>getCache(SERVERS_CACHE).getAdvancedCache(), nodeName);
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
    DefaultCacheManager manager = StickCaches.manager(channel, nodeName);
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
    StickEntry e = writer.pending(id);
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
    writer.write(id, new StickEntry(server, expires), timeout);
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
    writer.drain(prefix, CLEAR_WAIT_SECONDS);
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
    serverLists.announce(digest);
  }

  /** How the replication fares, for the status. */
  public StickSummary.Replication replication() {
    double[] ms = writer.lagsMillis();
    MsgStats traffic = channel.getProtocolStack().getTransport().getMessageStats();
    return new StickSummary.Replication(
        peer.getAddress().getHostAddress(),
        peer.getPort(),
        members(),
        writer.sent(),
        coalesced.get(),
        writer.failed(),
        writer.inFlight(),
        LagWindow.percentile(ms, 50),
        LagWindow.percentile(ms, 99),
        ms.length == 0 ? 0 : ms[ms.length - 1],
        ms.length,
        traffic.getNumBytesSent(),
        traffic.getNumBytesReceived(),
        serverLists.match().orElse(null));
  }

  /** Whether the peer runs the same real-server lists; empty until both nodes have said. */
  public Optional<Boolean> serversMatch() {
    return serverLists.match();
  }

  /** Writes sent and not yet acknowledged by the peer. */
  public long writesInFlight() {
    return writer.inFlight();
  }

  /** The replicated cache itself, for benchmarks that watch entries arrive. */
  AdvancedCache<String, String> cache() {
    return cache;
  }

  /** Writes sent to the peer so far. */
  public long sent() {
    return writer.sent();
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
    writer.close();
    manager.stop();
  }
}
