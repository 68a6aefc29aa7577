package org.lbctl.core.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

/** Closing and half-closing that let pending bytes drain first. */
final class Channels {
  private Channels() {}

  static void closeOnFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      ch.close();
    }
  }

  /** Sends FIN after what is queued, and closes once both directions are done. */
  static void shutdownOutputOnFlush(Channel ch) {
    if (!(ch instanceof DuplexChannel duplex) || !ch.isActive()) {
      ch.close();
      return;
    }
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ch.close();
                return;
              }
              duplex.shutdownOutput().addListener(s -> closeIfBothShut(ch));
            });
  }

  static boolean isInputShutdown(Channel ch) {
    return ch instanceof DuplexChannel d && d.isInputShutdown();
  }

  static void closeIfBothShut(Channel ch) {
    if (ch instanceof DuplexChannel d && d.isInputShutdown() && d.isOutputShutdown()) {
      ch.close();
    }
  }
}
