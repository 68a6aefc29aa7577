package org.lbctl.core.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;
import org.lbctl.core.http.HttpRejection;
import org.lbctl.core.http.HttpRequestDefences;
import org.lbctl.core.http.HttpRequestDefences.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an HTTP/2 stream look to {@link HttpProxyHandler} as an HTTP/1.1 exchange does: a request
 * that came whole (one HEADERS frame with END_STREAM) is handed on as its head and its end, the
 * {@code x-http2-*} headers the conversion adds (stream id, scheme, path) never reach a real
 * server, and an interim response (100 Continue) goes to the client as the single HEADERS frame
 * HTTP/2 writes it as.
 */
final class Http2StreamRequests extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(Http2StreamRequests.class);

  private final String vip;
  private final Consumer<HttpRejection> counted;
  // The interim response's end, which HTTP/2 does not write.
  private boolean interimEnd;
  // The stream's request was refused here: the rest of it is dropped.
  private boolean refused;

  Http2StreamRequests(String vip, Consumer<HttpRejection> counted) {
    this.vip = vip;
    this.counted = counted;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest r) {
      java.util.Optional<Refusal> no = HttpRequestDefences.methodAndHandshake(r);
      if (no.isPresent()) {
        refuse(ctx, no.get());
        ReferenceCountUtil.release(msg);
        return;
      }
    }
    if (msg instanceof LastHttpContent last) {
      // Framing has no place after the body (RFC 9110 §6.5.1): it would reach the real server in
      // the chunked trailers, where HTTP/1.1 clients are refused for it.
      last.trailingHeaders()
          .remove(HttpHeaderNames.CONTENT_LENGTH)
          .remove(HttpHeaderNames.TRANSFER_ENCODING)
          .remove(HttpHeaderNames.TRAILER);
    }
    if (msg instanceof FullHttpRequest full) {
      HttpRequest head =
          new DefaultHttpRequest(
              full.protocolVersion(), full.method(), full.uri(), withoutExtensions(full.headers()));
      ctx.fireChannelRead(head);
      ctx.fireChannelRead(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
      return;
    }
    if (msg instanceof HttpRequest r) {
      withoutExtensions(r.headers());
    }
    ctx.fireChannelRead(msg);
  }

  /** Answers the stream from here and ends it (the request's rest is reset). */
  private void refuse(ChannelHandlerContext ctx, Refusal no) {
    refused = true;
    counted.accept(no.why());
    log.info(
        "vip {}: {} on an HTTP/2 stream from {}: {}",
        vip,
        no.status().code(),
        ctx.channel().remoteAddress(),
        no.reason());
    ctx.writeAndFlush(LocalResponses.plain(no.status())).addListener(ChannelFutureListener.CLOSE);
  }

  private static HttpHeaders withoutExtensions(HttpHeaders h) {
    for (ExtensionHeaderNames n : ExtensionHeaderNames.values()) {
      h.remove(n.text());
    }
    return h;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse r
        && !(msg instanceof LastHttpContent)
        && r.status().codeClass() == HttpStatusClass.INFORMATIONAL
        && r.status().code() != 101) {
      interimEnd = true;
      ctx.write(
          new DefaultFullHttpResponse(
              r.protocolVersion(),
              r.status(),
              Unpooled.EMPTY_BUFFER,
              r.headers(),
              new DefaultHttpHeaders()),
          promise);
      return;
    }
    if (interimEnd && msg instanceof LastHttpContent) {
      interimEnd = false;
      ReferenceCountUtil.release(msg);
      promise.setSuccess();
      return;
    }
    ctx.write(msg, promise);
  }
}
