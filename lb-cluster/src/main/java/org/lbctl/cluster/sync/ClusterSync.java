package org.lbctl.cluster.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a cluster's members on one version of the replicated configuration. An edit may be made on
 * any member; the newest version wins: the higher number, and between two edits numbered alike
 * (made at the same time on two members) the higher hash, so every member picks the same one. The
 * first member by name among those running the newest version sends it whenever a member in the
 * view reports an older one, again after 3 s if it still does. The others validate it, run it and
 * record it beside their file; one they cannot run is logged once and leaves them on what they run.
 */
public final class ClusterSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClusterSync.class);
  static final String TYPE = "config";
  static final long RESEND_NANOS = 3_000_000_000L;
  // As often as the members speak: a member behind (a pair's secondary just started) catches up
  // within a few hundred milliseconds. A look costs nothing while every member runs the same.
  private static final long OFFER_MILLIS = 200;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String self;
  private final ConfigReplica replica;
  private final Consumer<byte[]> broadcast;
  private final LongSupplier clock;
  private final ScheduledExecutorService worker = SyncMessages.worker("lb-config-sync");
  // Worker thread only.
  private ConfigVersion lastSent;
  private long lastSentAt;
  private ConfigVersion lastRefused;

  public ClusterSync(
      String self, ConfigReplica replica, Consumer<byte[]> broadcast, LongSupplier clock) {
    this.self = self;
    this.replica = replica;
    this.broadcast = broadcast;
    this.clock = clock;
  }

  /**
   * Whether {@code a} is newer than {@code b}: a higher number, or the same one and a higher hash.
   */
  static boolean newer(ConfigVersion a, ConfigVersion b) {
    return a.number() > b.number() || a.number() == b.number() && a.hash().compareTo(b.hash()) > 0;
  }

  /**
   * Five times a second, asks {@code versions} what the members in the view run, as they last said
   * (this node excluded), and sends this node's version when it is the newest and this node is the
   * first by name of those running it.
   */
  public void start(java.util.function.Supplier<Map<String, ConfigVersion>> versions) {
    worker.scheduleWithFixedDelay(
        () -> {
          try {
            offer(versions.get());
          } catch (RuntimeException e) {
            // One bad turn must not end the schedule.
            log.warn("configuration: cannot compare versions with the members: {}", e.toString());
          }
        },
        OFFER_MILLIS,
        OFFER_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** Offers this node's version now, given what the members run (tests). */
  void members(Map<String, ConfigVersion> versions) {
    run(() -> offer(versions));
  }

  private void offer(Map<String, ConfigVersion> versions) {
    ConfigVersion mine = replica.version();
    TreeSet<String> senders = new TreeSet<>();
    senders.add(self);
    TreeSet<String> behind = new TreeSet<>();
    for (Map.Entry<String, ConfigVersion> e : versions.entrySet()) {
      ConfigVersion theirs = e.getValue();
      if (newer(theirs, mine)) {
        return; // someone runs a newer one: this node takes it, it does not send
      }
      if (theirs.equals(mine)) {
        senders.add(e.getKey());
      } else {
        behind.add(e.getKey());
      }
    }
    if (behind.isEmpty() || !senders.first().equals(self)) {
      return;
    }
    long now = clock.getAsLong();
    if (mine.equals(lastSent) && now - lastSentAt < RESEND_NANOS) {
      return;
    }
    lastSent = mine;
    lastSentAt = now;
    log.info("configuration: sending {} to {}, which run older versions", mine, behind);
    try {
      broadcast.accept(encode(mine, replica.document()));
    } catch (RuntimeException e) {
      log.warn("configuration: cannot send {}: {}", mine, e.getMessage());
    }
  }

  static byte[] encode(ConfigVersion v, byte[] document) {
    ObjectNode m = JSON.createObjectNode().put("type", TYPE);
    m.put("version", v.number()).put("hash", v.hash());
    m.put("document", Base64.getEncoder().encodeToString(document));
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code bytes} is a message of this part (the members' other words are not). */
  public static boolean isMine(byte[] bytes) {
    return SyncMessages.typed(bytes, TYPE);
  }

  /** A member's configuration message, from a JGroups thread. */
  public void onMessage(String from, byte[] bytes) {
    run(() -> receive(from, bytes));
  }

  private void receive(String from, byte[] bytes) {
    Optional<Received> r;
    try {
      r = decode(bytes);
    } catch (IOException e) {
      log.warn("configuration: ignoring a message from {}: {}", from, e.getMessage());
      return;
    }
    if (r.isEmpty()) {
      return;
    }
    // Compared and installed under the replica's lock: an edit here (reload, the API) waits, so it
    // is never replaced unseen between the comparison and the install.
    synchronized (replica) {
      install(from, r.get());
    }
  }

  private void install(String from, Received r) {
    ConfigVersion mine = replica.version();
    ConfigVersion theirs = r.version();
    if (!newer(theirs, mine) || theirs.equals(lastRefused)) {
      return;
    }
    if (theirs.number() == mine.number()) {
      log.error(
          "configuration: {} from {} replaces {} here, numbered alike: two members were edited at"
              + " the same time and the edit with the higher hash wins; the edit made here is"
              + " lost, redo it",
          theirs,
          from,
          mine);
    }
    try {
      replica.install(theirs, r.document());
      log.info("configuration: now running configuration {} from {} (was {})", theirs, from, mine);
    } catch (ConfigException | RuntimeException e) {
      lastRefused = theirs;
      log.error(
          "configuration: {} from {} cannot run here, this node stays on {}:\n{}",
          theirs,
          from,
          mine,
          e.getMessage());
    } catch (IOException e) {
      log.error(
          "configuration: {} from {} runs here but could not be recorded: {}; a restart runs the"
              + " file as it is",
          theirs,
          from,
          e.getMessage());
    }
  }

  record Received(ConfigVersion version, byte[] document) {}

  static Optional<Received> decode(byte[] bytes) throws IOException {
    JsonNode m = JSON.readTree(bytes);
    if (m == null || !TYPE.equals(m.path("type").asText())) {
      return Optional.empty();
    }
    ConfigVersion v = SyncMessages.version(m, 1, "configuration");
    byte[] document =
        SyncMessages.document(m, "configuration")
            .orElseThrow(() -> new IOException("a configuration message without a document"));
    return Optional.of(new Received(v, document));
  }

  private void run(Runnable step) {
    SyncMessages.run(worker, step, log);
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }
}
