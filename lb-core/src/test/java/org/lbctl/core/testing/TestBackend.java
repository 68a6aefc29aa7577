package org.lbctl.core.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP server on loopback for tests. In every mode it counts connections; what it says
 * depends on the mode:
 *
 * <ul>
 *   <li>{@link Mode#NAME_ECHO}: sends {@code name:port\n}, then echoes what it receives;
 *   <li>{@link Mode#SINK}: reads to end of input, answers with the SHA-256 of it, closes;
 *   <li>{@link Mode#SOURCE}: sends {@code sourceBytes} of {@link PatternBytes} and half-closes;
 *   <li>{@link Mode#RESET}: accepts and resets the connection at once;
 *   <li>{@link Mode#SILENT}: accepts and never says anything;
 *   <li>{@link Mode#TICK}: sends {@code tick\n} every 200 ms, whatever the client does.
 * </ul>
 */
public final class TestBackend implements AutoCloseable {
  public enum Mode {
    NAME_ECHO,
    SINK,
    SOURCE,
    RESET,
    SILENT,
    TICK
  }

  public static final long SOURCE_SEED = 42;

  private final String name;
  private final Mode mode;
  private final long sourceBytes;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Channel> listeners = new ArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();

  private TestBackend(String name, Mode mode, long sourceBytes) {
    this.name = name;
    this.mode = mode;
    this.sourceBytes = sourceBytes;
  }

  public static TestBackend start(String name, Mode mode, int... ports) {
    return start(name, mode, 0, ports);
  }

  public static TestBackend start(String name, Mode mode, long sourceBytes, int... ports) {
    return startOn("127.0.0.1", name, mode, sourceBytes, ports);
  }

  /** A backend on another loopback address ({@code 127.0.0.2}...), e.g. a second cluster. */
  public static TestBackend startOn(
      String host, String name, Mode mode, long sourceBytes, int... ports) {
    TestBackend b = new TestBackend(name, mode, sourceBytes);
    for (int port : ports.length == 0 ? new int[] {0} : ports) {
      b.listen(host, port);
    }
    return b;
  }

  private void listen(String host, int port) {
    Channel ch =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel c) {
                    accepted.incrementAndGet();
                    open.incrementAndGet();
                    c.closeFuture().addListener(f -> open.decrementAndGet());
                    c.pipeline().addLast(new Handler());
                  }
                })
            .bind(new InetSocketAddress(host, port))
            .syncUninterruptibly()
            .channel();
    listeners.add(ch);
  }

  public int port() {
    return port(0);
  }

  public int port(int index) {
    return ((InetSocketAddress) listeners.get(index).localAddress()).getPort();
  }

  public String name() {
    return name;
  }

  public int accepted() {
    return accepted.get();
  }

  public int openConnections() {
    return open.get();
  }

  @Override
  public void close() {
    listeners.forEach(Channel::close);
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Handler extends ChannelInboundHandlerAdapter {
    private final MessageDigest digest = PatternBytes.sha256();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel ch = ctx.channel();
      int localPort = ((InetSocketAddress) ch.localAddress()).getPort();
      switch (mode) {
        case NAME_ECHO ->
            ch.writeAndFlush(
                Unpooled.copiedBuffer(name + ":" + localPort + "\n", StandardCharsets.US_ASCII));
        case SOURCE -> sendSource(ch, new PatternBytes(SOURCE_SEED), sourceBytes);
        case RESET -> {
          ch.config().setOption(ChannelOption.SO_LINGER, 0);
          ch.close();
        }
        case TICK -> {
          var tick =
              ch.eventLoop()
                  .scheduleAtFixedRate(
                      () ->
                          ch.writeAndFlush(
                              Unpooled.copiedBuffer("tick\n", StandardCharsets.US_ASCII)),
                      0,
                      200,
                      java.util.concurrent.TimeUnit.MILLISECONDS);
          ch.closeFuture().addListener(f -> tick.cancel(false));
        }
        default -> {}
      }
    }

    private void sendSource(Channel ch, PatternBytes pattern, long left) {
      if (left == 0) {
        ((DuplexChannel) ch).shutdownOutput();
        return;
      }
      int n = (int) Math.min(256 * 1024, left);
      byte[] chunk = new byte[n];
      pattern.fill(chunk, n);
      ch.writeAndFlush(Unpooled.wrappedBuffer(chunk))
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  sendSource(ch, pattern, left - n);
                }
              });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      switch (mode) {
        case NAME_ECHO -> ctx.writeAndFlush(buf);
        case SINK -> {
          digest.update(buf.nioBuffer());
          buf.release();
        }
        default -> buf.release();
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        if (mode == Mode.SINK) {
          String hex = HexFormat.of().formatHex(digest.digest()) + "\n";
          ctx.writeAndFlush(Unpooled.copiedBuffer(hex, StandardCharsets.US_ASCII))
              .addListener(ChannelFutureListener.CLOSE);
        } else {
          ctx.close();
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
