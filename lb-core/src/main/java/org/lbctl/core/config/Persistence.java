package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Persistence of a virtual service.
 *
 * @param netmask prefix length grouping source addresses ({@code source-ip} only), capped at the
 *     address length: 32 or more for IPv4, 128 for IPv6 (the default) = per address
 * @param cookie the inserted cookie's name ({@code http-cookie} only)
 */
public record Persistence(PersistenceMode mode, Duration timeout, int netmask, String cookie) {
  public static final String DEFAULT_COOKIE = "LBCTL_SERVER";
  public static final Persistence NONE =
      new Persistence(PersistenceMode.NONE, Duration.ZERO, 128, DEFAULT_COOKIE);

  public Persistence {
    requireNonNull(mode, "mode");
    requireNonNull(timeout, "timeout");
    requireNonNull(cookie, "cookie");
  }
}
