package org.lbctl.core.persistence;

import static java.util.Objects.requireNonNull;

/**
 * Where a client (or, for last-successful, the whole virtual service) sticks.
 *
 * @param server the real server's label: stable across reloads and on both nodes, unlike an index
 * @param expiresAtMillis wall-clock expiry, so both nodes of a pair read it alike
 */
public record StickEntry(String server, long expiresAtMillis) {
  public StickEntry {
    requireNonNull(server, "server");
  }

  public boolean expired(long nowMillis) {
    return nowMillis >= expiresAtMillis;
  }
}
