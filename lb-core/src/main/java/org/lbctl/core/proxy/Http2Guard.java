package org.lbctl.core.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
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
 * a connection on which nothing moved for the client timeout is closed.
 */
final class Http2Guard extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http2Guard.class);
  private static final Throttle THROTTLE = new Throttle(1000);

  /** PING and SETTINGS frames a client may send per second; a browser sends a few a minute. */
  static final int MAX_CONTROL_PER_SECOND = 100;

  private static final long SECOND = 1_000_000_000L;

  private final String vip;
  private final Consumer<HttpRejection> counted;
  private final LongSupplier nanos;
  private long windowStart;
  private int inWindow;
  // GOAWAY is on its way: what the client sends meanwhile is dropped, and counted no more.
  private boolean refused;

  Http2Guard(String vip, Consumer<HttpRejection> counted, LongSupplier nanos) {
    this.vip = vip;
    this.counted = counted;
    this.nanos = nanos;
    this.windowStart = nanos.getAsLong();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
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

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // Nothing moved either way, on any stream, for the client timeout.
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
