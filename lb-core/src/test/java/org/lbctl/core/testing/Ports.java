package org.lbctl.core.testing;

import java.io.IOException;
import java.net.ServerSocket;

/** Free loopback ports for listeners that must be named before they are bound. */
public final class Ports {
  private Ports() {}

  // Ports this JVM already handed out: the kernel may hand a port just released out again.
  private static final java.util.Set<Integer> GIVEN =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** {@code n} different free ports. */
  public static int[] distinct(int n) {
    int[] ports = new int[n];
    for (int i = 0; i < n; i++) {
      ports[i] = free();
    }
    return ports;
  }

  /**
   * A free port not handed out before in this JVM, below the kernel's ephemeral range: a port from
   * that range, just released, may become the local port of any outgoing connection (the tests open
   * many) before the test binds it.
   */
  public static int free() {
    int top = ephemeralLow() - 1;
    int bottom = Math.max(1024, top - 12000);
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    while (true) {
      int port = random.nextInt(bottom, top + 1);
      if (GIVEN.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(port));
        if (GIVEN.add(port)) {
          return port;
        }
      } catch (IOException taken) {
        // Someone listens there: another one.
      }
    }
  }

  private static int ephemeralLow() {
    try {
      // Files.readString trusts the size /proc reports (0) and reads a single byte.
      String range;
      try (var in =
          java.nio.file.Files.newInputStream(
              java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
        range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
      }
      return Integer.parseInt(range.split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }
}
