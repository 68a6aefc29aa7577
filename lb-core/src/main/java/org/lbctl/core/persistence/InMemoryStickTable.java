package org.lbctl.core.persistence;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The stick table of a node that runs alone: concurrent maps, one per virtual service. */
public final class InMemoryStickTable implements StickTable {
  private final Map<String, Map<String, StickEntry>> tables = new ConcurrentHashMap<>();

  private Map<String, StickEntry> table(String vip) {
    return tables.computeIfAbsent(vip, v -> new ConcurrentHashMap<>());
  }

  @Override
  public Optional<StickEntry> lookup(String vip, String key, long nowMillis) {
    Map<String, StickEntry> t = tables.get(vip);
    StickEntry e = t == null ? null : t.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (e.expired(nowMillis)) {
      t.remove(key, e);
      return Optional.empty();
    }
    return Optional.of(e);
  }

  @Override
  public void record(String vip, String key, String server, Duration timeout, long nowMillis) {
    table(vip).put(key, new StickEntry(server, nowMillis + timeout.toMillis()));
  }

  @Override
  public void touch(String vip, String key, Duration timeout, long nowMillis) {
    Map<String, StickEntry> t = tables.get(vip);
    if (t != null) {
      t.computeIfPresent(
          key,
          (k, e) ->
              e.expired(nowMillis)
                  ? null
                  : new StickEntry(e.server(), nowMillis + timeout.toMillis()));
    }
  }

  @Override
  public int expire(long nowMillis) {
    int dropped = 0;
    for (Map<String, StickEntry> t : tables.values()) {
      for (Map.Entry<String, StickEntry> e : t.entrySet()) {
        if (e.getValue().expired(nowMillis) && t.remove(e.getKey(), e.getValue())) {
          dropped++;
        }
      }
    }
    return dropped;
  }

  @Override
  public Map<String, StickEntry> list(String vip, long nowMillis) {
    Map<String, StickEntry> out = new TreeMap<>();
    Map<String, StickEntry> t = tables.get(vip);
    if (t != null) {
      t.forEach(
          (k, e) -> {
            if (!e.expired(nowMillis)) {
              out.put(k, e);
            }
          });
    }
    return out;
  }

  @Override
  public int clear(String vip) {
    Map<String, StickEntry> t = tables.remove(vip);
    return t == null ? 0 : t.size();
  }

  @Override
  public java.util.Set<String> virtualServices() {
    return java.util.Set.copyOf(tables.keySet());
  }

  @Override
  public long size() {
    return tables.values().stream().mapToLong(Map::size).sum();
  }
}
