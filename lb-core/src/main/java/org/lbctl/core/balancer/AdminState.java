package org.lbctl.core.balancer;

import java.util.Locale;
import java.util.Optional;

/** What an operator decided for a real server, independent of its health. */
public enum AdminState {
  /** Takes new connections. */
  ONLINE,
  /** No new clients; persistent clients and open connections continue. */
  DRAIN,
  /** No new connections at all; open connections continue until they end. */
  HALT;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<AdminState> parse(String text) {
    for (AdminState s : values()) {
      if (s.configName().equals(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
