package org.lbctl.core.health;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/** Short, stable words for why a check failed, for logs and alerts. */
public final class Failures {
  private Failures() {}

  public static String describe(Throwable t) {
    Throwable c = t;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
    if (c instanceof ConnectTimeoutException || c instanceof TimeoutException) {
      return "timed out";
    }
    if (c instanceof NoRouteToHostException || m.contains("no route to host")) {
      return "no route to host";
    }
    // Before the connect case: a reset can come while connecting (epoll reports it from
    // finishConnect as a ConnectException), and it is a reset all the same.
    if (m.contains("connection reset")) {
      return "connection reset";
    }
    if (c instanceof ConnectException || m.contains("connection refused")) {
      return m.contains("refused") ? "connection refused" : c.getMessage();
    }
    if (c instanceof ClosedChannelException) {
      return "connection closed";
    }
    return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
  }
}
