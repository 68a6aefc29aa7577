package org.lbctl.persistence;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.infinispan.AdvancedCache;
import org.infinispan.context.Flag;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the other nodes run the same real-server lists as this one. Entries name servers by
 * label: two nodes that disagree on the labels would send a client elsewhere after a failover. Each
 * node puts the digest of its lists in a small replicated cache under its name; a difference is
 * logged as a warning and shown in the status.
 */
final class ServerListCheck {
  private static final Logger log = LoggerFactory.getLogger(ServerListCheck.class);

  private final AdvancedCache<String, String> servers;
  private final String nodeName;
  private final AtomicReference<Boolean> match = new AtomicReference<>();

  ServerListCheck(AdvancedCache<String, String> servers, String nodeName) {
    this.servers = servers;
    this.nodeName = nodeName;
    servers.addListener(new DigestListener());
  }

  /** Tells the others this node's digest, then compares. */
  void announce(String digest) {
    servers
        .withFlags(Flag.IGNORE_RETURN_VALUES)
        .putAsync(nodeName, digest)
        .whenComplete((v, t) -> compare());
  }

  /** Whether the peer runs the same real-server lists; empty until both nodes have said. */
  Optional<Boolean> match() {
    return Optional.ofNullable(match.get());
  }

  /** Compares the digests both nodes announced; logs when the answer changes. */
  private void compare() {
    String mine = servers.withFlags(Flag.CACHE_MODE_LOCAL).get(nodeName);
    Optional<Map.Entry<String, String>> theirs =
        servers.withFlags(Flag.CACHE_MODE_LOCAL).entrySet().stream()
            .filter(e -> !e.getKey().equals(nodeName))
            .findFirst()
            .map(e -> Map.entry(e.getKey(), e.getValue()));
    if (mine == null || theirs.isEmpty()) {
      return;
    }
    boolean same = mine.equals(theirs.get().getValue());
    Boolean before = match.getAndSet(same);
    if (before != null && before == same) {
      return;
    }
    if (same) {
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

  /** Compares again as another node's digest arrives. */
  @Listener(observation = Listener.Observation.POST)
  public final class DigestListener {
    @CacheEntryCreated
    @CacheEntryModified
    public void changed(CacheEntryEvent<String, String> e) {
      if (!e.getKey().equals(nodeName)) {
        compare();
      }
    }
  }
}
