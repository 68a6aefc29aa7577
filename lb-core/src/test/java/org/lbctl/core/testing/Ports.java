package org.lbctl.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
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

  /** A free port not handed out before in this JVM. */
  public static int free() {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        s.setReuseAddress(true);
        if (GIVEN.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
