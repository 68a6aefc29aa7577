package org.lbctl.cluster.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.lbctl.core.auth.AccountBook;
import org.lbctl.core.config.ConfigVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the members' management accounts alike. A change made on a member goes to the others at
 * once, whole; every second each member says which version it has, and one that has a newer version
 * than a member says sends it (at most once a second per version). The newest wins as for the
 * configuration: the higher number, then the higher hash (said in the log: the other change is
 * lost). Version 0 (a node that paired or joined and has had nothing since) is never sent, so a
 * joining node takes the others' accounts; one that hears only 0 from the others may make its own.
 * The first document after an upgrade is merged with the node's own accounts and sent back.
 */
public final class AccountSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AccountSync.class);
  static final String TYPE = "accounts";
  private static final long SAY_MILLIS = 1000;
  private static final long RESEND_NANOS = 1_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final AccountReplica replica;
  private final Consumer<byte[]> broadcast;
  private final LongSupplier clock;
  private final ScheduledExecutorService worker = SyncMessages.worker("lb-account-sync");
  // Worker thread only.
  private ConfigVersion lastSent;
  private long lastSentAt;
  private ConfigVersion lastRefused;

  public AccountSync(AccountReplica replica, Consumer<byte[]> broadcast, LongSupplier clock) {
    this.replica = replica;
    this.broadcast = broadcast;
    this.clock = clock;
  }

  /** Says this node's version every second, and sends every change made here at once. */
  public AccountSync start() {
    replica.onChange(() -> run(this::sendMine));
    worker.scheduleWithFixedDelay(
        () -> {
          try {
            say(replica.version());
          } catch (RuntimeException e) {
            log.warn("accounts: cannot tell the members this node's version: {}", e.toString());
          }
        },
        SAY_MILLIS,
        SAY_MILLIS,
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Whether {@code bytes} is a message of this part. */
  public static boolean isMine(byte[] bytes) {
    return SyncMessages.typed(bytes, TYPE);
  }

  /** A member's accounts message, from a JGroups thread. */
  public void onMessage(String from, byte[] bytes) {
    run(() -> receive(from, bytes));
  }

  private void sendMine() {
    AccountBook.Snapshot mine = replica.snapshot();
    if (mine.version().number() > 0) {
      send(mine);
    }
  }

  /** Says this node's version, without the document. */
  private void say(ConfigVersion v) {
    ObjectNode m = JSON.createObjectNode().put("type", TYPE);
    m.put("version", v.number()).put("hash", v.hash());
    broadcast(m, v);
  }

  /** Sends the accounts with their version: both of one moment. */
  private void send(AccountBook.Snapshot s) {
    ObjectNode m = JSON.createObjectNode().put("type", TYPE);
    m.put("version", s.version().number()).put("hash", s.version().hash());
    m.put("document", Base64.getEncoder().encodeToString(s.document()));
    lastSent = s.version();
    lastSentAt = clock.getAsLong();
    broadcast(m, s.version());
  }

  private void broadcast(ObjectNode m, ConfigVersion v) {
    try {
      broadcast.accept(JSON.writeValueAsBytes(m));
    } catch (IOException | RuntimeException e) {
      log.warn("accounts: cannot send {}: {}", v, e.getMessage());
    }
  }

  private void receive(String from, byte[] bytes) {
    Optional<Received> r;
    try {
      r = decode(bytes);
    } catch (IOException e) {
      log.warn("accounts: ignoring a message from {}: {}", from, e.getMessage());
      return;
    }
    if (r.isEmpty()) {
      return;
    }
    AccountBook.Snapshot snapshot = replica.snapshot();
    ConfigVersion mine = snapshot.version();
    ConfigVersion theirs = r.get().version();
    if (r.get().document().isEmpty()) {
      boolean resentLately = mine.equals(lastSent) && clock.getAsLong() - lastSentAt < RESEND_NANOS;
      if (mine.number() > 0 && ClusterSync.newer(mine, theirs) && !resentLately) {
        log.info("accounts: sending {} to {}, which has {}", mine, from, theirs);
        send(snapshot);
      } else if (mine.number() == 0 && theirs.number() == 0) {
        // Neither has accounts to give: a node that waits for them need not wait on.
        try {
          replica.release();
        } catch (IOException e) {
          log.warn("accounts: cannot record that this node makes its own: {}", e.getMessage());
        }
      }
      return;
    }
    if (!ClusterSync.newer(theirs, mine) || theirs.equals(lastRefused)) {
      return;
    }
    if (theirs.number() == mine.number()) {
      log.error(
          "accounts: {} from {} replaces {} here, numbered alike: users or tokens were changed on"
              + " two members at the same time and the change with the higher hash wins; the"
              + " change made here is lost, make it again",
          theirs,
          from,
          mine);
    }
    try {
      if (replica.install(theirs, r.get().document().get(), from)) {
        sendMine();
      }
    } catch (IllegalArgumentException e) {
      lastRefused = theirs;
      log.error(
          "accounts: {} from {} refused, this node keeps its users and tokens ({}): {}",
          theirs,
          from,
          mine,
          e.getMessage());
    } catch (IOException | RuntimeException e) {
      log.error(
          "accounts: {} from {} could not be recorded, this node keeps {}: {}",
          theirs,
          from,
          mine,
          e.getMessage());
    }
  }

  record Received(ConfigVersion version, Optional<byte[]> document) {}

  static Optional<Received> decode(byte[] bytes) throws IOException {
    JsonNode m = JSON.readTree(bytes);
    if (m == null || !TYPE.equals(m.path("type").asText())) {
      return Optional.empty();
    }
    return Optional.of(
        new Received(SyncMessages.version(m, 0, TYPE), SyncMessages.document(m, TYPE)));
  }

  private void run(Runnable step) {
    SyncMessages.run(worker, step, log);
  }

  @Override
  public void close() {
    replica.onChange(() -> {});
    worker.shutdownNow();
  }
}
