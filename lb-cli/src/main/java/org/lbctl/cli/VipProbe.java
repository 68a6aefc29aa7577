package org.lbctl.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Connects to virtual service addresses over and over until each accepts a TCP connection: how long
 * a client on this host would have waited.
 */
final class VipProbe {
  private static final int CONNECT_TIMEOUT_MS = 200;
  private static final long PAUSE_MS = 10;

  private VipProbe() {}

  /**
   * Probes every endpoint from {@code startNanos} on.
   *
   * @return for each endpoint, milliseconds from the start until it first accepted; empty when it
   *     did not within {@code timeoutMillis}
   */
  static Map<InetSocketAddress, OptionalLong> untilAnswered(
      List<InetSocketAddress> endpoints, long startNanos, long timeoutMillis)
      throws InterruptedException {
    Map<InetSocketAddress, OptionalLong> result = new LinkedHashMap<>();
    endpoints.forEach(e -> result.put(e, OptionalLong.empty()));
    long deadline = startNanos + timeoutMillis * 1_000_000;
    while (result.containsValue(OptionalLong.empty()) && System.nanoTime() < deadline) {
      for (InetSocketAddress e : endpoints) {
        if (result.get(e).isEmpty() && accepts(e)) {
          result.put(e, OptionalLong.of((System.nanoTime() - startNanos) / 1_000_000));
        }
      }
      Thread.sleep(PAUSE_MS);
    }
    return result;
  }

  private static boolean accepts(InetSocketAddress endpoint) {
    try (Socket s = new Socket()) {
      s.connect(endpoint, CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
