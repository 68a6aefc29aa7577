package org.lbctl.core.persistence;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The engine's stick table, which can move from one implementation to another while traffic flows:
 * a lone node's in-memory table becomes the pair's replicated one when the node is paired, and the
 * other way when the pair is broken. Live entries go along, so no client loses its server.
 */
public final class SwitchableStickTable implements StickTable {
  private volatile StickTable current;

  public SwitchableStickTable(StickTable initial) {
    this.current = initial;
  }

  public StickTable current() {
    return current;
  }

  /**
   * Copies the live entries into {@code next} and routes through it from now on.
   *
   * @return the table used until now
   */
  public synchronized StickTable switchTo(StickTable next) {
    StickTable previous = current;
    long now = System.currentTimeMillis();
    for (String vip : previous.virtualServices()) {
      previous
          .list(vip, now)
          .forEach(
              (key, e) ->
                  next.record(
                      vip, key, e.server(), Duration.ofMillis(e.expiresAtMillis() - now), now));
    }
    current = next;
    return previous;
  }

  @Override
  public Optional<StickEntry> lookup(String vip, String key, long nowMillis) {
    return current.lookup(vip, key, nowMillis);
  }

  @Override
  public void record(String vip, String key, String server, Duration timeout, long nowMillis) {
    current.record(vip, key, server, timeout, nowMillis);
  }

  @Override
  public void touch(String vip, String key, Duration timeout, long nowMillis) {
    current.touch(vip, key, timeout, nowMillis);
  }

  @Override
  public int expire(long nowMillis) {
    return current.expire(nowMillis);
  }

  @Override
  public Map<String, StickEntry> list(String vip, long nowMillis) {
    return current.list(vip, nowMillis);
  }

  @Override
  public int clear(String vip) {
    return current.clear(vip);
  }

  @Override
  public Set<String> virtualServices() {
    return current.virtualServices();
  }

  @Override
  public long size() {
    return current.size();
  }
}
