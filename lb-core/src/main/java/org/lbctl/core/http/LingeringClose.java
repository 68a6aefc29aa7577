package org.lbctl.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after an answer that ends it (400, 413, 503 ...) without destroying
 * that answer: a socket closed while the client is still sending (an upload refused half-way) makes
 * the kernel send a reset, and the client may lose the answer it had not read yet (RFC 9112 §9.6).
 * So the connection stops writing (a FIN, on plain connections), then reads and drops what the
 * client still sends, before any decoding, until the client closes its side, {@link #MAX_BYTES}
 * have come, or {@link #LINGER_MILLIS} have passed.
 */
public final class LingeringClose {
  public static final long LINGER_MILLIS = 2000;
  public static final long MAX_BYTES = 1 << 20;

  private LingeringClose() {}

  /** Once {@code written} (the last answer) is out, lingers and closes. */
  public static void after(ChannelFuture written) {
    Channel ch = written.channel();
    written.addListener(
        f -> {
          if (!f.isSuccess() || !ch.isActive() || !(ch instanceof DuplexChannel d)) {
            // Not a socket (nothing to lose), or gone already.
            ch.close();
            return;
          }
          ChannelPipeline p = ch.pipeline();
          if (p.get("linger") != null) {
            return;
          }
          Discard discard = new Discard();
          if (p.get(SslHandler.class) != null) {
            // TLS: the records are read and dropped once decrypted; no half-close of TLS.
            p.addAfter(p.context(SslHandler.class).name(), "linger", discard);
          } else {
            if (p.get("bytes") != null) {
              p.addAfter("bytes", "linger", discard);
            } else {
              p.addFirst("linger", discard);
            }
            d.shutdownOutput();
          }
          ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
          ch.config().setAutoRead(true);
        });
  }

  private static final class Discard extends ChannelInboundHandlerAdapter {
    private long dropped;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf b) {
        dropped += b.readableBytes();
      }
      ReferenceCountUtil.release(msg);
      if (dropped > MAX_BYTES) {
        ctx.close();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
