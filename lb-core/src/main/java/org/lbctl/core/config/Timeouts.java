package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Time limits of a virtual service.
 *
 * @param connect to establish a connection to one real server before trying the next
 * @param client idle time allowed on the client side
 * @param server idle time allowed on the real server side
 * @param queue how long a connection may wait when every real server is at its maximum
 */
public record Timeouts(Duration connect, Duration client, Duration server, Duration queue) {
  public static final Timeouts DEFAULT =
      new Timeouts(
          Duration.ofSeconds(4),
          Duration.ofMinutes(5),
          Duration.ofMinutes(5),
          Duration.ofSeconds(1));

  public Timeouts {
    requireNonNull(connect, "connect");
    requireNonNull(client, "client");
    requireNonNull(server, "server");
    requireNonNull(queue, "queue");
  }
}
