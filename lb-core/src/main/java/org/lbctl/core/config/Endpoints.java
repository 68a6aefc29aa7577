package org.lbctl.core.config;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Addresses written as text: {@code 10.0.0.1}, {@code 10.0.0.1:6695}, {@code [2001:db8::1]:6694}.
 */
public final class Endpoints {
  private Endpoints() {}

  /** The address and port, or empty when the text is not an IP literal with an optional port. */
  public static Optional<InetSocketAddress> parse(String text, int defaultPort) {
    String host = text;
    int port = defaultPort;
    int colon = text.lastIndexOf(':');
    String portText = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      host = close < 0 ? "" : text.substring(1, close);
      String rest = close < 0 ? "" : text.substring(close + 1);
      portText = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? null : "x";
    } else if (colon > 0 && text.indexOf(':') == colon) {
      host = text.substring(0, colon);
      portText = text.substring(colon + 1);
    }
    if (portText != null) {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        port = -1;
      }
    }
    if ((!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host))
        || port < 1
        || port > 65535) {
      return Optional.empty();
    }
    return Optional.of(new InetSocketAddress(IpLiterals.parse(host), port));
  }

  /** {@code 10.0.0.1:6694} or {@code [2001:db8::1]:6694}: what {@link #parse} reads back. */
  public static String format(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** Whether the text is an IPv4 or IPv6 literal (no port). */
  public static boolean isIp(String text) {
    return NetUtil.isValidIpV4Address(text) || NetUtil.isValidIpV6Address(text);
  }
}
