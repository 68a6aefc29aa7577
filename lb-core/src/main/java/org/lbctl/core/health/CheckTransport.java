package org.lbctl.core.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where checks open their connections: the checker's event loop and channel type. A check that
 * talks to its server (C-ECHO, HL7) runs as a {@link Conversation}: connected within the timeout,
 * failed at the timeout, and its connection closed once the result is known, so no check leaves a
 * socket behind.
 */
public record CheckTransport(EventLoopGroup group, Class<? extends SocketChannel> channel) {

  /** The check's side of one connection. */
  public interface Conversation {
    /** The handlers that read the server's answers, last in the pipeline. */
    List<ChannelHandler> handlers();

    /** Connected: say the first thing. */
    void start(Channel ch);

    /** The timeout passed without a result: fail, naming what was awaited. */
    void timedOut();

    /** The result is known: close, unless the conversation ends itself (a release under way). */
    default void finished(Channel ch) {
      ch.close();
    }
  }

  /** A bootstrap that gives up connecting at {@code timeout}. */
  public Bootstrap bootstrap(Duration timeout) {
    return new Bootstrap()
        .group(group)
        .channel(channel)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis());
  }

  /**
   * Opens {@code conversation} with {@code address}; the verdict is "cannot connect: ..." when the
   * connection does not come up. The connection is closed at the timeout whatever happens.
   */
  public void open(
      InetSocketAddress address, Duration timeout, Verdict verdict, Conversation conversation) {
    bootstrap(timeout)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                conversation.handlers().forEach(h -> ch.pipeline().addLast(h));
              }
            })
        .connect(address)
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                verdict.down("cannot connect: " + Failures.describe(f.cause()));
                return;
              }
              Channel ch = f.channel();
              ch.eventLoop()
                  .schedule(
                      () -> {
                        conversation.timedOut();
                        ch.close();
                      },
                      timeout.toMillis(),
                      TimeUnit.MILLISECONDS);
              verdict
                  .result()
                  .whenComplete((r, t) -> ch.eventLoop().execute(() -> conversation.finished(ch)));
              conversation.start(ch);
            });
  }
}
