package org.lbctl.core.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HAProxy's defences in front of the HTTP proxy, right after the {@link #decoder}:
 *
 * <ul>
 *   <li>a request line or headers too long (414, 431), too many header fields (431);
 *   <li>ambiguous framing, refused by Netty's decoder under RFC 9112 and answered here:
 *       Transfer-Encoding with Content-Length, chunked repeated, not last or missing, differing
 *       Content-Lengths (400); a well-formed coding this proxy does not decode, such as gzip before
 *       chunked (501);
 *   <li>a client that takes longer than the header timeout to send its request headers, from the
 *       connection or from the end of the previous exchange (408): slowloris.
 * </ul>
 *
 * Each refusal answers with a short error, closes the connection and drops whatever else the client
 * sends. A request that passes goes on; the next handler fires {@link #NEXT_REQUEST} when its
 * exchange is over, which starts the clock for the next request.
 */
public final class HttpRequestDefences extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpRequestDefences.class);

  /** A user event: the exchange is over, the client has the header timeout for its next request. */
  public static final Object NEXT_REQUEST = new Object();

  /**
   * A user event for the handler after this one: the body of the request under way cannot be framed
   * (a chunk size that is not hexadecimal, chunk data longer than its size, a broken trailer). That
   * handler answers 400 if it can and makes sure the real server never gets the request whole; the
   * connection is over either way, and nothing the client sends after it is read.
   */
  public record MalformedBody(String reason) {}

  private final HttpLimits limits;
  private final String where;
  private final java.util.function.Consumer<HttpRejection> counted;
  // One timer per connection, not one per request: it fires at the deadline it was set for and
  // then looks at the current one (a busy connection re-arms it about once per header timeout).
  private ScheduledFuture<?> headerTimer;
  private boolean awaitingHeaders;
  private long headerDeadlineNanos;
  private boolean refused;

  /** The request decoder these defences read: strict lines, the limits' sizes. */
  public static HttpRequestDecoder decoder(HttpLimits limits) {
    return new StrictRequestDecoder(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(limits.maxRequestLine())
            .setMaxHeaderSize(limits.maxHeaderBytes())
            .setMaxChunkSize(65536)
            .setStrictLineParsing(true)
            .setValidateHeaders(true),
        // Leading empty lines, the request line, the headers and the line endings Netty counts
        // in neither limit.
        limits.maxRequestLine() + limits.maxHeaderBytes() + 4 * limits.maxHeaders() + 1024,
        limits.maxHeaderBytes());
  }

  /**
   * @param where the virtual service, for the log
   * @param counted told of every refusal, for the virtual service's counters
   */
  public HttpRequestDefences(
      HttpLimits limits, String where, java.util.function.Consumer<HttpRejection> counted) {
    this.limits = limits;
    this.where = where;
    this.counted = counted;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      // Added once TLS chose HTTP/1.1: the connection is up, and its first request's clock runs.
      startHeaderTimer(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    startHeaderTimer(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == NEXT_REQUEST) {
      startHeaderTimer(ctx);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void startHeaderTimer(ChannelHandlerContext ctx) {
    long timeout = limits.headerTimeout().toNanos();
    awaitingHeaders = true;
    headerDeadlineNanos = ctx.executor().ticker().nanoTime() + timeout;
    if (headerTimer == null) {
      armHeaderTimer(ctx, timeout);
    }
  }

  private void armHeaderTimer(ChannelHandlerContext ctx, long delayNanos) {
    headerTimer =
        ctx.executor().schedule(() -> headerTimerFired(ctx), delayNanos, TimeUnit.NANOSECONDS);
  }

  private void headerTimerFired(ChannelHandlerContext ctx) {
    headerTimer = null;
    if (!awaitingHeaders || refused) {
      return;
    }
    long left = headerDeadlineNanos - ctx.executor().ticker().nanoTime();
    if (left > 0) {
      armHeaderTimer(ctx, left);
      return;
    }
    refuse(
        ctx,
        HttpRejection.HEADER_TIMEOUT,
        "no complete request headers within " + limits.headerTimeout().toMillis() + " ms");
  }

  private void cancelHeaderTimer() {
    if (headerTimer != null) {
      headerTimer.cancel(false);
      headerTimer = null;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof HttpRequest) && msg instanceof HttpContent c) {
      String bad =
          c.decoderResult().isFailure()
              ? c.decoderResult().cause().getMessage()
              : c instanceof LastHttpContent last
                      && last.trailingHeaders().size() > limits.maxHeaders()
                  ? last.trailingHeaders().size()
                      + " trailer fields (at most "
                      + limits.maxHeaders()
                      + ")"
                  : null;
      if (bad != null) {
        ReferenceCountUtil.release(msg);
        refused = true;
        cancelHeaderTimer();
        counted.accept(HttpRejection.MALFORMED_BODY);
        String reason = "malformed request body: " + bad;
        log.info("vip {}: 400 from {}: {}", where, ctx.channel().remoteAddress(), reason);
        ctx.fireUserEventTriggered(new MalformedBody(reason));
        return;
      }
    }
    if (msg instanceof HttpRequest r) {
      awaitingHeaders = false;
      Optional<Refusal> refusal = judge(r);
      if (refusal.isPresent()) {
        ReferenceCountUtil.release(msg);
        refuse(ctx, refusal.get().why(), refusal.get().reason());
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** Why a request is refused: the counted reason (with its status) and the detail for the log. */
  public record Refusal(HttpRejection why, String reason) {
    public HttpResponseStatus status() {
      return HttpResponseStatus.valueOf(why.status());
    }
  }

  /** The verdict on one decoded request: empty when it may go on. */
  Optional<Refusal> judge(HttpRequest r) {
    DecoderResult result = r.decoderResult();
    if (result.isFailure()) {
      Throwable c = result.cause();
      if (c instanceof TooLongHttpLineException) {
        return refusal(HttpRejection.REQUEST_LINE_TOO_LONG, "request line too long");
      }
      if (c instanceof TooLongHttpHeaderException || c instanceof TooLongFrameException) {
        return refusal(HttpRejection.HEADERS_TOO_LARGE, "request headers too large");
      }
      return refusal(HttpRejection.MALFORMED_REQUEST, "malformed request: " + c.getMessage());
    }
    if (r.protocolVersion().majorVersion() != 1 || r.protocolVersion().minorVersion() > 1) {
      return refusal(
          HttpRejection.UNSUPPORTED_VERSION,
          r.protocolVersion().text() + ": only HTTP/1.0 and HTTP/1.1 are spoken here");
    }
    if (r.headers().size() > limits.maxHeaders()) {
      return refusal(
          HttpRejection.HEADERS_TOO_LARGE,
          r.headers().size() + " header fields (at most " + limits.maxHeaders() + ")");
    }
    Optional<Refusal> method = methodAndHandshake(r);
    if (method.isPresent()) {
      return method;
    }
    for (String option : r.headers().getAll(HttpHeaderNames.CONNECTION)) {
      for (String name : option.split(",")) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        // A proxy drops the headers Connection names: these would take the framing or the
        // target with them.
        if (n.equals("content-length") || n.equals("transfer-encoding") || n.equals("host")) {
          return refusal(
              HttpRejection.CONNECTION_NAMES_FRAMING,
              "Connection names '" + n + "', which frames or addresses the request");
        }
      }
    }
    List<String> codings = new ArrayList<>();
    for (String value : r.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
      for (String coding : value.split(",")) {
        codings.add(coding.strip().toLowerCase(Locale.ROOT));
      }
    }
    if (codings.isEmpty()) {
      return Optional.empty();
    }
    // The decoder has made sure chunked is there once, and last.
    if (codings.size() > 1) {
      return refusal(
          HttpRejection.UNSUPPORTED_CODING,
          "Transfer-Encoding '" + String.join(", ", codings) + "': only chunked is decoded");
    }
    return Optional.empty();
  }

  /**
   * What HTTP mode does not carry, in HTTP/1.1 and HTTP/2 alike: CONNECT (a tunnel to elsewhere,
   * not a request to a real server behind this VIP), and the obsolete hixie-76 WebSocket handshake,
   * whose two key headers make Netty's decoders read 8 bytes of body a strict reader does not see.
   */
  public static Optional<Refusal> methodAndHandshake(HttpRequest r) {
    if (r.method().equals(io.netty.handler.codec.http.HttpMethod.CONNECT)) {
      return refusal(HttpRejection.UNSUPPORTED_METHOD, "CONNECT: this is not a forward proxy");
    }
    if (r.headers().contains("Sec-WebSocket-Key1") || r.headers().contains("Sec-WebSocket-Key2")) {
      return refusal(
          HttpRejection.MALFORMED_REQUEST,
          "an obsolete WebSocket handshake (Sec-WebSocket-Key1/2)");
    }
    return Optional.empty();
  }

  private static Optional<Refusal> refusal(HttpRejection why, String reason) {
    return Optional.of(new Refusal(why, reason));
  }

  private void refuse(ChannelHandlerContext ctx, HttpRejection why, String reason) {
    if (refused || !ctx.channel().isActive()) {
      return;
    }
    refused = true;
    counted.accept(why);
    HttpResponseStatus status = HttpResponseStatus.valueOf(why.status());
    cancelHeaderTimer();
    log.info("vip {}: {} from {}: {}", where, status.code(), ctx.channel().remoteAddress(), reason);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(status.reasonPhrase() + "\n", StandardCharsets.US_ASCII));
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    LingeringClose.after(ctx.writeAndFlush(response));
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelHeaderTimer();
    ctx.fireChannelInactive();
  }
}
