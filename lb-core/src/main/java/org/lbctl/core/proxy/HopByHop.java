package org.lbctl.core.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The headers that concern one connection only (RFC 9110 §7.6.1), which a proxy drops before it
 * sends a message on: the fixed ones, and every header the message's own {@code Connection} names
 * (a client's {@code Connection: X-Secret} keeps X-Secret from the server). Never the framing: a
 * request naming Content-Length, Transfer-Encoding or Host is refused before it gets here, and on a
 * response they stay, since the client's encoder frames the body by them.
 */
final class HopByHop {
  static final List<CharSequence> FIXED =
      List.of(
          HttpHeaderNames.CONNECTION,
          AsciiString.cached("keep-alive"),
          AsciiString.cached("proxy-connection"),
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.UPGRADE);

  private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "host");

  private HopByHop() {}

  /** Drops the hop-by-hop headers of {@code h}, the ones its Connection names first. */
  static void drop(HttpHeaders h) {
    for (String option : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String name : option.split(",")) {
        String n = name.strip();
        if (!n.isEmpty() && !FRAMING.contains(n.toLowerCase(Locale.ROOT))) {
          h.remove(n);
        }
      }
    }
    FIXED.forEach(h::remove);
  }
}
