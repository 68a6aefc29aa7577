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
 * @param httpRequest HTTP mode: how long a client may take to send a request's headers, from the
 *     connection or the end of the previous response (slowloris)
 */
public record Timeouts(
    Duration connect, Duration client, Duration server, Duration queue, Duration httpRequest) {
  public static final Timeouts DEFAULT =
      new Timeouts(
          Duration.ofSeconds(4),
          Duration.ofMinutes(5),
          Duration.ofMinutes(5),
          Duration.ofSeconds(1),
          Duration.ofSeconds(10));

  public Timeouts {
    requireNonNull(connect, "connect");
    requireNonNull(client, "client");
    requireNonNull(server, "server");
    requireNonNull(queue, "queue");
    requireNonNull(httpRequest, "httpRequest");
  }
}
