package org.lbctl.core.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One management listener: the Unix domain socket (mode 0660, so only the node's user and group may
 * manage it) or HTTPS on TCP (9443) for remote use. A {@link Front} decides who the caller is and
 * hands the request to the API. Requests run in the management {@link Lanes}, never on an event
 * loop: a reload reads files and binds sockets, a password check takes a third of a second.
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
  private static final int MAX_REQUEST_BYTES = 1024 * 1024;
  private static final int IDLE_SECONDS = 120;

  private final Path socket;
  private final RemoteLimits limits = new RemoteLimits();
  private final EventLoopGroup group;
  private final Channel channel;

  private ManagementServer(
      Path socket, SocketAddress bindTo, SslContext tls, Front front, Lanes lanes)
      throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IOException(
          "the management listener needs Linux epoll: " + Epoll.unavailabilityCause());
    }
    this.socket = socket;
    String where =
        socket != null
            ? "unix socket " + socket
            : "https://" + org.lbctl.core.config.Endpoints.format((InetSocketAddress) bindTo);
    if (socket != null) {
      prepare(socket);
    }
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("lb-mgmt-io"), EpollIoHandler.newFactory());
    try {
      this.channel =
          new ServerBootstrap()
              .group(group)
              .channel(
                  socket != null
                      ? EpollServerDomainSocketChannel.class
                      : EpollServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      if (tls != null) {
                        // A remote peer that stops talking does not keep a connection for ever.
                        ch.pipeline()
                            .addLast(limits.handler())
                            .addLast(new ReadTimeoutHandler(IDLE_SECONDS))
                            .addLast(tls.newHandler(ch.alloc()));
                      }
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                          .addLast(new Handler(front, lanes));
                    }
                  })
              .bind(bindTo)
              .sync()
              .channel();
      if (socket != null) {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException("interrupted while binding " + where, e);
    } catch (RuntimeException | IOException e) {
      close();
      throw new IOException("cannot listen on " + where + ": " + e.getMessage(), e);
    }
    log.info("management API listening on {}", where);
  }

  /** The local socket; the lanes are the caller's to stop. */
  public static ManagementServer unix(Path socket, ManagementApi api, Lanes lanes)
      throws IOException {
    return new ManagementServer(
        socket, new DomainSocketAddress(socket.toFile()), null, Front.unixSocket(api), lanes);
  }

  /** HTTPS on {@code listen}; {@code front} authenticates. The lanes are the caller's to stop. */
  public static ManagementServer https(
      InetSocketAddress listen, SslContext tls, Front front, Lanes lanes) throws IOException {
    return new ManagementServer(null, listen, tls, front, lanes);
  }

  /** The TCP address it listens on (HTTPS only): the real port when 0 was asked. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Creates the directory; removes a socket file left by a node that is gone. */
  private static void prepare(Path socket) throws IOException {
    Path dir = socket.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
    }
    if (!Files.exists(socket)) {
      return;
    }
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(socket));
      throw new IOException("another node is already running on " + socket);
    } catch (IOException refused) {
      if (refused.getMessage() != null && refused.getMessage().startsWith("another node")) {
        throw refused;
      }
      log.info("removing stale management socket {}", socket);
      Files.delete(socket);
    }
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    if (socket == null) {
      return;
    }
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("cannot remove management socket {}: {}", socket, e.getMessage());
    }
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Front front;
    private final Lanes lanes;
    // On the channel's event loop only.
    private boolean inFlight;
    private boolean pipelined;

    Handler(Front front, Lanes lanes) {
      this.front = front;
      this.lanes = lanes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      if (ctx.channel().hasAttr(EventStream.OPEN)) {
        // A connection that carries an event stream sends nothing more: one that does is closed,
        // so that one connection cannot open many streams.
        ctx.close();
        return;
      }
      RemoteLimits.requestComplete(ctx);
      // One request in flight per connection: the next is read once this one's answer is written,
      // so a client that sends many and reads none holds one answer, not thousands. Requests sent
      // ahead of an answer (pipelined, already read in the same batch) are dropped, and the
      // connection closes after the answer in flight.
      if (inFlight) {
        pipelined = true;
        return;
      }
      inFlight = true;
      ctx.channel().config().setAutoRead(false);
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (!req.decoderResult().isSuccess()) {
        respond(
            ctx, new ApiResponse(400, java.util.Map.of("error", "malformed HTTP request")), false);
        return;
      }
      String method = req.method().name();
      QueryStringDecoder uri = new QueryStringDecoder(req.uri());
      String path = uri.path();
      byte[] body = ByteBufUtil.getBytes(req.content());
      Incoming in =
          new Incoming(
              method, path, req.headers().copy(), body, from(ctx.channel()), uri.parameters());
      try {
        Runnable task =
            () -> {
              ApiResponse answer;
              try {
                answer = front.answer(in);
              } catch (RuntimeException e) {
                log.error("management API: {} {} failed", method, path, e);
                answer = new ApiResponse(500, java.util.Map.of("error", "internal error: " + e));
              }
              ApiResponse done = answer;
              ctx.executor()
                  .execute(
                      () -> {
                        inFlight = false;
                        respond(ctx, done, keepAlive && !pipelined);
                      });
            };
        lanes.execute(front, in, task);
      } catch (java.util.concurrent.RejectedExecutionException full) {
        respond(
            ctx,
            new ApiResponse(
                503,
                java.util.Map.of(
                    "error", "the management API is busy (or the node is stopping): try again"),
                java.util.Map.of("Retry-After", "5")),
            false);
      }
    }

    /** The peer: its address over TCP, its user id on the Unix socket. */
    private static String from(Channel ch) {
      if (ch instanceof EpollDomainSocketChannel unix) {
        try {
          return "uid " + unix.peerCredentials().uid();
        } catch (IOException e) {
          return "unix socket";
        }
      }
      if (ch.remoteAddress() instanceof InetSocketAddress a) {
        return a.getAddress().getHostAddress();
      }
      return String.valueOf(ch.remoteAddress());
    }

    private static void respond(ChannelHandlerContext ctx, ApiResponse answer, boolean keepAlive) {
      if (answer.body() instanceof EventStream stream) {
        stream.open(ctx, answer);
        return;
      }
      byte[] bytes;
      CharSequence type;
      if (answer.body() instanceof TextBody t) {
        bytes = t.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        type = t.contentType();
      } else {
        bytes = ManagementApi.toJson(answer.body());
        type = HttpHeaderValues.APPLICATION_JSON;
      }
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(answer.status()),
              Unpooled.wrappedBuffer(bytes));
      res.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, type)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      answer.headers().forEach(res.headers()::set);
      if (keepAlive) {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(res)
            .addListener(
                f -> {
                  if (f.isSuccess()) {
                    ctx.channel().config().setAutoRead(true);
                  }
                });
      } else {
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("management connection: {}", cause.toString());
      ctx.close();
    }
  }
}
