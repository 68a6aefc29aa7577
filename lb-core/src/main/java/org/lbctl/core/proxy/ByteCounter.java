package org.lbctl.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.function.LongConsumer;

/**
 * Counts the bytes a channel reads and writes, at the head of its pipeline (what went over the
 * wire, TLS included), for the status in HTTP mode.
 */
final class ByteCounter extends ChannelDuplexHandler {
  private final LongConsumer read;
  private final LongConsumer written;

  ByteCounter(LongConsumer read, LongConsumer written) {
    this.read = read;
    this.written = written;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      read.accept(b.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b) {
      written.accept(b.readableBytes());
    }
    ctx.write(msg, promise);
  }
}
