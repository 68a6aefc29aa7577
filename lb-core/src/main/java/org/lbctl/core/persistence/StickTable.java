package org.lbctl.core.persistence;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Persistence entries per virtual service: which real server a key (a client's masked address, or
 * the one last-successful key) sticks to, until when. Implementations: {@link InMemoryStickTable}
 * for a lone node, a replicated one for a pair. Called from event loops: no method may block on the
 * network.
 */
public interface StickTable {
  /** The entry for {@code key} of {@code vip} unless it is absent or expired. */
  Optional<StickEntry> lookup(String vip, String key, long nowMillis);

  /** Sticks {@code key} to {@code server} for {@code timeout} from now (new or rewritten). */
  void record(String vip, String key, String server, Duration timeout, long nowMillis);

  /** Extends a live entry's expiry on use; implementations may coalesce these. */
  void touch(String vip, String key, Duration timeout, long nowMillis);

  /** Drops expired entries; the number dropped. */
  int expire(long nowMillis);

  /** The live entries of one virtual service, by key. */
  Map<String, StickEntry> list(String vip, long nowMillis);

  /** Drops every entry of one virtual service (the guides' "Clear Table"); the number dropped. */
  int clear(String vip);

  /** The virtual services that have entries. */
  java.util.Set<String> virtualServices();

  /** Live and expired-but-not-yet-dropped entries of all virtual services. */
  long size();
}
