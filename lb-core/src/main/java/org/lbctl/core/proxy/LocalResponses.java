package org.lbctl.core.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The responses HTTP mode gives from itself, when no real server answers a request. */
final class LocalResponses {
  private LocalResponses() {}

  /** A short plain-text answer naming the status. */
  static FullHttpResponse plain(HttpResponseStatus status) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(status.reasonPhrase() + "\n", StandardCharsets.US_ASCII));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    return r;
  }

  /** A permanent redirect to {@code location}, without a body. */
  static FullHttpResponse movedTo(String location) {
    FullHttpResponse moved =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY);
    moved.headers().set(HttpHeaderNames.LOCATION, location).set(HttpHeaderNames.CONTENT_LENGTH, 0);
    return moved;
  }

  /**
   * Where a request to an http-only VIP ({@code forceHttps}) is sent: the same host, without its
   * port, and the same target, on https; empty without a Host header.
   */
  static Optional<String> httpsLocation(String host, String target) {
    if (host == null || host.isBlank()) {
      return Optional.empty();
    }
    String name;
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      name = end > 0 ? host.substring(0, end + 1) : host;
    } else {
      int colon = host.indexOf(':');
      name = colon < 0 ? host : host.substring(0, colon);
    }
    return Optional.of("https://" + name + target);
  }
}
