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
 * connections from one address (an IPv6 one by its /64) and {@link #TOTAL} in all at a time (the
 * next ones are closed at once), and a request must arrive whole, TLS handshake, headers and body,
 * within {@link #BUDGET} of its first byte, or the connection is closed: a client that trickles a
 * header line now and then cannot hold connections open, and cannot crowd out the others. One
 * instance per listener, its handlers one per connection, first in the pipeline.
 */
final class RemoteLimits {
  private static final Logger log = LoggerFactory.getLogger(RemoteLimits.class);
  static final int PER_SOURCE = 32;
  static final int TOTAL = 1024;
  static final Duration BUDGET = Duration.ofSeconds(10);

  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();
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

  /** An IPv4 address as it is, an IPv6 one by its /64 (one host may hold a whole /64). */
  static String sourceKey(InetAddress a) {
    byte[] b = a.getAddress();
    return b.length == 16
        ? java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64"
        : a.getHostAddress();
  }

  private final class PerConnection extends ChannelInboundHandlerAdapter {
    private String source;
    private boolean counted;
    private ScheduledFuture<?> timer;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
        source = sourceKey(a.getAddress());
        counted = true;
        int all = total.incrementAndGet();
        int n = open.computeIfAbsent(source, k -> new AtomicInteger()).incrementAndGet();
        if (n > PER_SOURCE || all > TOTAL) {
          if (refused.getAndIncrement() % 100 == 0) {
            log.warn(
                "management: {} holds {} connections ({} in all, at most {} and {}); more are"
                    + " closed at once ({} so far)",
                source,
                n - 1,
                all - 1,
                PER_SOURCE,
                TOTAL,
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
      if (counted) {
        counted = false;
        total.decrementAndGet();
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
