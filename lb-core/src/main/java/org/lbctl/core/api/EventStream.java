package org.lbctl.core.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.events.EventHub;

/**
 * The body of {@code GET /v1/events}: the answer stays open and carries each status change as a
 * server-sent event, and a comment every 15 s so that proxies and the client see it alive. A reader
 * that does not keep up (the connection's buffer full) is disconnected, never waited for. Before
 * each event and each comment the caller's credentials are asked again: a stream ends with its
 * user's removal or disabling, its token's revocation, its session's end.
 */
record EventStream(EventHub hub, java.util.function.BooleanSupplier stillAdmitted) {
  private static final long KEEPALIVE_SECONDS = 15;
  // Set on a connection that carries a stream: it takes no further request.
  static final io.netty.util.AttributeKey<Boolean> OPEN =
      io.netty.util.AttributeKey.valueOf("lbctl.eventStream");

  /** Writes the answer's head and subscribes the connection; 503 when the hub is full. */
  void open(ChannelHandlerContext ctx, ApiResponse answer) {
    Channel ch = ctx.channel();
    ch.attr(OPEN).set(true);
    Optional<Runnable> subscription =
        hub.subscribe(
            text ->
                ch.eventLoop()
                    .execute(
                        () -> {
                          if (!ch.isWritable()) {
                            ch.close();
                            return;
                          }
                          if (admitted(ch)) {
                            ch.writeAndFlush(chunk(text));
                          }
                        }));
    if (subscription.isEmpty()) {
      DefaultFullHttpResponse busy =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              Unpooled.copiedBuffer(
                  "{\"error\": \"too many event streams are open: try again\"}",
                  StandardCharsets.UTF_8));
      busy.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, busy.content().readableBytes())
          .set(HttpHeaderNames.RETRY_AFTER, "5");
      ctx.writeAndFlush(busy).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    answer.headers().forEach(head.headers()::set);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setTransferEncodingChunked(head, true);
    // The idle timeout is for requests; a stream is quiet by design and shows it lives below.
    if (ch.pipeline().get(ReadTimeoutHandler.class) != null) {
      ch.pipeline().remove(ReadTimeoutHandler.class);
    }
    ctx.write(head);
    ctx.writeAndFlush(chunk(": open\n\n"));
    ScheduledFuture<?> keepalive =
        ch.eventLoop()
            .scheduleAtFixedRate(
                () -> {
                  if (admitted(ch)) {
                    ch.writeAndFlush(chunk(": alive\n\n"));
                  }
                },
                KEEPALIVE_SECONDS,
                KEEPALIVE_SECONDS,
                TimeUnit.SECONDS);
    ch.closeFuture()
        .addListener(
            f -> {
              subscription.get().run();
              keepalive.cancel(false);
            });
    // Read on, so that a client that goes is seen going; what it sends is dropped.
    ch.config().setAutoRead(true);
  }

  /** Whether the caller still may read: else the stream ends (said in a last event). */
  private boolean admitted(Channel ch) {
    if (stillAdmitted.getAsBoolean()) {
      return true;
    }
    ch.writeAndFlush(chunk("event: end\ndata: {\"reason\":\"credentials revoked\"}\n\n"))
        .addListener(ChannelFutureListener.CLOSE);
    return false;
  }

  private static DefaultHttpContent chunk(String text) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }
}
