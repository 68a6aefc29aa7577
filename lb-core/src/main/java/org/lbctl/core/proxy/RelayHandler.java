package org.lbctl.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies bytes from its channel to the peer. Backpressure: when the peer's outbound buffer passes
 * its high water mark, reading from this side stops until the peer drains (the peer's relay turns
 * it back on). Half-close travels through: end of input here becomes FIN on the peer.
 *
 * <p>Both channels of a connection share one event loop, so no field needs to be volatile.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RelayHandler.class);

  private final Channel peer;
  private final LongConsumer bytesRead;
  private final IdleTimer idle;
  private final String description;

  RelayHandler(Channel peer, LongConsumer bytesRead, IdleTimer idle, String description) {
    this.peer = peer;
    this.bytesRead = bytesRead;
    this.idle = idle;
    this.description = description;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    idle.touch();
    if (msg instanceof ByteBuf buf) {
      bytesRead.accept(buf.readableBytes());
    }
    peer.write(msg, peer.voidPromise());
    // Stop reading before the flush, so a fast sender cannot outrun a slow receiver.
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // A peer that already read its end of input has nothing left to read; under epoll, asking
    // it to read again fails because its descriptor has left the epoll set.
    if (ctx.channel().isWritable() && peer.isActive() && !Channels.isInputShutdown(peer)) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      Channels.shutdownOutputOnFlush(peer);
      Channels.closeIfBothShut(ctx.channel());
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Channels.closeOnFlush(peer);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: {}", description, cause.toString());
    ctx.close();
  }
}
