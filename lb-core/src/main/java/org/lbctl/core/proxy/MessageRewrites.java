package org.lbctl.core.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What HTTP mode changes in a message's head on its way through: a request gains X-Forwarded-For
 * and X-Forwarded-Proto and loses its hop-by-hop headers; a response loses its hop-by-hop headers.
 */
final class MessageRewrites {
  private MessageRewrites() {}

  /**
   * The request as the real server gets it.
   *
   * @param forwardedFor what the client sent as X-Forwarded-For, or null: a request sent twice gets
   *     the client's address added once
   * @param upgrade the protocol the request asks to switch to, or null
   */
  static void request(
      HttpRequest request, String forwardedFor, String clientIp, boolean tls, String upgrade) {
    HttpHeaders h = request.headers();
    HopByHop.drop(h);
    if (upgrade != null) {
      HttpTunnel.keepUpgrade(h, upgrade);
    }
    h.set("X-Forwarded-For", forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
    h.set("X-Forwarded-Proto", tls ? "https" : "http");
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
  }

  /**
   * Whether a response's end shows without the server's close: a length, chunks, or no body at all
   * (a 204, a 304, the answer to a HEAD).
   */
  static boolean framed(HttpResponse r, HttpMethod asked) {
    int code = r.status().code();
    return HttpUtil.isContentLengthSet(r)
        || HttpUtil.isTransferEncodingChunked(r)
        || code == 204
        || code == 304
        || HttpMethod.HEAD.equals(asked);
  }

  /** A switch of protocols as the client gets it: only the switch's own hop-by-hop headers. */
  static void switching(HttpResponse r, String asked) {
    HttpHeaders h = r.headers();
    String protocol = h.get(HttpHeaderNames.UPGRADE, asked);
    HopByHop.drop(h);
    HttpTunnel.keepUpgrade(h, protocol);
  }
}
