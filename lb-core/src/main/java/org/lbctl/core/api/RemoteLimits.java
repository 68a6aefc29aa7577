package org.lbctl.core.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one remote client may hold of the HTTPS management listener: at most {@link #PER_SOURCE}
 * connections from one address at a time (the next ones are closed at once), and a request must
 * arrive whole, TLS handshake, headers and body, within {@link #BUDGET} of its first byte, or the
 * connection is closed: a client that trickles a header line now and then cannot hold connections
 * open, and cannot crowd out the others. One instance per listener, its handlers one per
 * connection, first in the pipeline.
 */
final class RemoteLimits {
  private static final Logger log = LoggerFactory.getLogger(RemoteLimits.class);
  static final int PER_SOURCE = 32;
  static final Duration BUDGET = Duration.ofSeconds(10);

  private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  /** The handler for a new connection. */
  ChannelHandler handler() {
    return new PerConnection();
  }

  /** The request on this connection has arrived whole: its budget is spent no more. */
  static void requestComplete(ChannelHandlerContext any) {
    PerConnection c = any.pipeline().get(PerConnection.class);
    if (c != null) {
      c.complete();
    }
  }

  private final class PerConnection extends ChannelInboundHandlerAdapter {
    private InetAddress source;
    private ScheduledFuture<?> timer;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
        source = a.getAddress();
        int n = open.computeIfAbsent(source, k -> new AtomicInteger()).incrementAndGet();
        if (n > PER_SOURCE) {
          if (refused.getAndIncrement() % 100 == 0) {
            log.warn(
                "management: {} holds {} connections already; more are closed at once ({} so"
                    + " far)",
                source.getHostAddress(),
                PER_SOURCE,
                refused.get());
          }
          ctx.close();
          return;
        }
      }
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      cancel();
      if (source != null) {
        open.computeIfPresent(source, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (timer == null && msg instanceof ByteBuf b && b.isReadable()) {
        timer =
            ctx.executor()
                .schedule(
                    () -> {
                      log.debug(
                          "management: closing a connection from {} that sent no whole request"
                              + " within {} s",
                          source,
                          BUDGET.toSeconds());
                      ctx.close();
                    },
                    BUDGET.toMillis(),
                    TimeUnit.MILLISECONDS);
      }
      ctx.fireChannelRead(msg);
    }

    void complete() {
      cancel();
    }

    private void cancel() {
      if (timer != null) {
        timer.cancel(false);
        timer = null;
      }
    }
  }
}
