package org.lbctl.core.proxy;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.lbctl.core.audit.LogText;
import org.lbctl.core.http.HttpRejection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches an HTTP/2 client connection as a whole, after the frame codec: more PING or SETTINGS
 * frames than a client needs (each costs an answer: CVE-2019-9512 and -9515) end the connection
 * with GOAWAY ENHANCE_YOUR_CALM; the connection errors the codec itself detects (rapid reset,
 * CONTINUATION floods, header lists over the limit, broken frames) are counted and logged here; and
 * a connection on which no stream moved (HEADERS, DATA or a reset, either way) for the client
 * timeout is closed: PINGs and window updates keep nothing open, so streams that hold real-server
 * connections cannot be kept waiting by them.
 */
final class Http2Guard extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(Http2Guard.class);
  private static final Throttle THROTTLE = new Throttle(1000);

  /** PING and SETTINGS frames a client may send per second; a browser sends a few a minute. */
  static final int MAX_CONTROL_PER_SECOND = 100;

  private static final long SECOND = 1_000_000_000L;

  private final String vip;
  private final Consumer<HttpRejection> counted;
  private final LongSupplier nanos;
  private final long idleNanos;
  private long lastActivity;
  private ScheduledFuture<?> idleCheck;
  private long windowStart;
  private int inWindow;
  // GOAWAY is on its way: what the client sends meanwhile is dropped, and counted no more.
  private boolean refused;

  /**
   * @param idle the client timeout: how long no stream may move before the connection is closed
   */
  Http2Guard(
      String vip, Consumer<HttpRejection> counted, LongSupplier nanos, java.time.Duration idle) {
    this.vip = vip;
    this.counted = counted;
    this.nanos = nanos;
    this.windowStart = nanos.getAsLong();
    this.idleNanos = idle.toNanos();
    this.lastActivity = windowStart;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    scheduleIdleCheck(ctx, idleNanos);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
  }

  private void scheduleIdleCheck(ChannelHandlerContext ctx, long delay) {
    idleCheck = ctx.executor().schedule(() -> idleCheck(ctx), delay, TimeUnit.NANOSECONDS);
  }

  private void idleCheck(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    long idle = nanos.getAsLong() - lastActivity;
    if (idle >= idleNanos) {
      log.debug(
          "vip {}: HTTP/2 client {}: no stream moved for {} ms; closing",
          vip,
          ctx.channel().remoteAddress(),
          idleNanos / 1_000_000);
      ctx.close();
      return;
    }
    scheduleIdleCheck(ctx, idleNanos - idle);
  }

  private static boolean streamActivity(Object msg) {
    return msg instanceof Http2StreamFrame && !(msg instanceof Http2WindowUpdateFrame);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (streamActivity(msg)) {
      lastActivity = nanos.getAsLong();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (streamActivity(msg)) {
      lastActivity = nanos.getAsLong();
    }
    boolean control =
        (msg instanceof Http2PingFrame p && !p.ack()) || msg instanceof Http2SettingsFrame;
    if (control && tooMany()) {
      ReferenceCountUtil.release(msg);
      refuse(
          ctx,
          HttpRejection.H2_FLOOD,
          "more than " + MAX_CONTROL_PER_SECOND + " PING or SETTINGS frames in a second");
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private boolean tooMany() {
    long now = nanos.getAsLong();
    if (now - windowStart >= SECOND) {
      windowStart = now;
      inWindow = 0;
    }
    return ++inWindow > MAX_CONTROL_PER_SECOND;
  }

  private void refuse(ChannelHandlerContext ctx, HttpRejection why, String reason) {
    if (refused || !ctx.channel().isActive()) {
      return;
    }
    refused = true;
    counted.accept(why);
    THROTTLE.warn(
        log,
        "vip {}: HTTP/2 client {} closed with GOAWAY: {}",
        vip,
        ctx.channel().remoteAddress(),
        reason);
    ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
        .addListener(f -> ctx.close());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Http2FrameStreamException) {
      // One stream's error: the multiplexer hands it to that stream.
      ctx.fireExceptionCaught(cause);
      return;
    }
    if (cause instanceof Http2Exception e && !(e instanceof Http2Exception.StreamException)) {
      // The codec has sent its GOAWAY and closes the connection: say why, once.
      if (refused) {
        return;
      }
      refused = true;
      HttpRejection why =
          e.error() == Http2Error.ENHANCE_YOUR_CALM
              ? HttpRejection.H2_FLOOD
              : HttpRejection.H2_PROTOCOL_ERROR;
      counted.accept(why);
      THROTTLE.warn(
          log,
          "vip {}: HTTP/2 client {} closed with GOAWAY {}: {}",
          vip,
          ctx.channel().remoteAddress(),
          e.error(),
          LogText.field(String.valueOf(e.getMessage())));
      return;
    }
    log.debug("vip {}: HTTP/2 client {}: {}", vip, ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
