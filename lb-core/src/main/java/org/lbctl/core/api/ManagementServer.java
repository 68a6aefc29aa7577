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
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
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
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the {@link ManagementApi} on a Unix domain socket. The socket file is mode 0660, so only
 * the node's user and group may manage it (file permissions are the authentication, as with
 * HAProxy's stats socket). Requests run on a management thread, never on an event loop: a reload
 * reads files and binds sockets.
 */
public final class ManagementServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);
  private static final int MAX_REQUEST_BYTES = 1024 * 1024;

  private final Path socket;
  private final EventLoopGroup group;
  private final ExecutorService worker;
  private final Channel channel;

  private ManagementServer(Path socket, ManagementApi api) throws IOException {
    if (!Epoll.isAvailable()) {
      throw new IOException(
          "the management socket needs Linux epoll: " + Epoll.unavailabilityCause());
    }
    this.socket = socket;
    prepare(socket);
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("lb-mgmt-io"), EpollIoHandler.newFactory());
    this.worker = Executors.newSingleThreadExecutor(new DefaultThreadFactory("lb-mgmt"));
    try {
      this.channel =
          new ServerBootstrap()
              .group(group)
              .channel(EpollServerDomainSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                          .addLast(new Handler(api, worker));
                    }
                  })
              .bind(new DomainSocketAddress(socket.toFile()))
              .sync()
              .channel();
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException("interrupted while binding " + socket, e);
    } catch (RuntimeException | IOException e) {
      close();
      throw new IOException("cannot listen on " + socket + ": " + e.getMessage(), e);
    }
    log.info("management API listening on unix socket {}", socket);
  }

  public static ManagementServer start(Path socket, ManagementApi api) throws IOException {
    return new ManagementServer(socket, api);
  }

  public Path socket() {
    return socket;
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
    worker.shutdownNow();
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.warn("cannot remove management socket {}: {}", socket, e.getMessage());
    }
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ManagementApi api;
    private final ExecutorService worker;

    Handler(ManagementApi api, ExecutorService worker) {
      this.api = api;
      this.worker = worker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (!req.decoderResult().isSuccess()) {
        respond(
            ctx, new ApiResponse(400, java.util.Map.of("error", "malformed HTTP request")), false);
        return;
      }
      String method = req.method().name();
      String path = new QueryStringDecoder(req.uri()).path();
      byte[] body = ByteBufUtil.getBytes(req.content());
      worker.execute(
          () -> {
            ApiResponse answer = api.handle(method, path, body, "unix socket");
            ctx.executor().execute(() -> respond(ctx, answer, keepAlive));
          });
    }

    private static void respond(ChannelHandlerContext ctx, ApiResponse answer, boolean keepAlive) {
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
      if (keepAlive) {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(res);
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
