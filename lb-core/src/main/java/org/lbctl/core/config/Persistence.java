package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Persistence of a virtual service.
 *
 * @param netmask prefix length grouping source addresses ({@code source-ip} only); 32 = per address
 */
public record Persistence(PersistenceMode mode, Duration timeout, int netmask) {
  public static final Persistence NONE = new Persistence(PersistenceMode.NONE, Duration.ZERO, 32);

  public Persistence {
    requireNonNull(mode, "mode");
    requireNonNull(timeout, "timeout");
  }
}
