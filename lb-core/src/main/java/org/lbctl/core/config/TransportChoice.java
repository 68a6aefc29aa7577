package org.lbctl.core.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The data plane's socket transport as the node file or command line names it. {@code auto} takes
 * epoll on Linux: io_uring is faster on loopback but opt-in, as many hardened kernels and container
 * runtimes turn it off.
 */
public enum TransportChoice {
  AUTO,
  EPOLL,
  IO_URING,
  NIO;

  /** The value as written in files and on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<TransportChoice> parse(String text) {
    return Arrays.stream(values()).filter(c -> c.label().equals(text)).findFirst();
  }

  /** The accepted values, for error messages. */
  public static String labels() {
    return Arrays.stream(values()).map(TransportChoice::label).collect(Collectors.joining(", "));
  }
}
