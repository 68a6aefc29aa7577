package org.lbctl.core.http;

import java.time.Duration;

/**
 * What a client's request may be, before the proxy looks at it.
 *
 * @param maxRequestLine longest request line (method, target, version) in bytes: longer is 414
 * @param maxHeaderBytes all header lines together: more is 431
 * @param maxHeaders header fields: more is 431
 * @param headerTimeout from the connection (or the end of the previous response) to the end of the
 *     request's headers: slower is 408 and a closed connection (slowloris)
 */
public record HttpLimits(
    int maxRequestLine, int maxHeaderBytes, int maxHeaders, Duration headerTimeout) {
  public static final HttpLimits DEFAULT = new HttpLimits(8192, 32768, 100, Duration.ofSeconds(10));
}
