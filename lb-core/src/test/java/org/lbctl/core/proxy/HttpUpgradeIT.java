package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.ScriptedHttpServer;

/**
 * Protocol switches through an HTTP-mode virtual service: a web viewer's WebSocket reaches a real
 * WebSocket server (Netty's) through the proxy and carries messages both ways, large ones intact; a
 * server that switches protocols unasked gets the client a 502.
 */
class HttpUpgradeIT {
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private int vipPort;

  @BeforeEach
  void start() {
    vipPort = Ports.free();
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private void vip(int serverPort) throws Exception {
    engine.apply(Configs.httpVip("viewer", vipPort, serverPort));
  }

  /** A WebSocket server on /ws that sends every message back. */
  private int echoServer() throws Exception {
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(new WebSocketServerProtocolHandler("/ws", null, false, 8 << 20))
                        .addLast(
                            new SimpleChannelInboundHandler<WebSocketFrame>() {
                              @Override
                              protected void channelRead0(
                                  ChannelHandlerContext ctx, WebSocketFrame frame) {
                                if (frame instanceof TextWebSocketFrame
                                    || frame instanceof BinaryWebSocketFrame) {
                                  ctx.writeAndFlush(frame.retain());
                                }
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** Collects whole messages: text as a string, binary as bytes. */
  private static final class Collector implements WebSocket.Listener {
    final StringBuilder text = new StringBuilder();
    final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    CompletableFuture<String> nextText = new CompletableFuture<>();
    CompletableFuture<byte[]> nextBinary = new CompletableFuture<>();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        nextText.complete(text.toString());
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binary.write(b, 0, b.length);
      if (last) {
        nextBinary.complete(binary.toByteArray());
        binary.reset();
      }
      ws.request(1);
      return null;
    }
  }

  @Test
  void aWebSocketCarriesMessagesBothWaysThroughTheProxy() throws Exception {
    vip(echoServer());
    Collector in = new Collector();
    WebSocket ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create("ws://127.0.0.1:" + vipPort + "/ws"), in)
            .get(10, TimeUnit.SECONDS);
    ws.sendText("hello viewer", true).get(5, TimeUnit.SECONDS);
    assertThat(in.nextText.get(5, TimeUnit.SECONDS)).isEqualTo("hello viewer");

    // A 4 MiB image frame, both ways, whole.
    byte[] image = new byte[4 << 20];
    new Random(42).nextBytes(image);
    ws.sendBinary(ByteBuffer.wrap(image), true).get(10, TimeUnit.SECONDS);
    byte[] back = in.nextBinary.get(20, TimeUnit.SECONDS);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    assertThat(sha.digest(back)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(image));

    in.nextText = new CompletableFuture<>();
    ws.sendText("still there", true).get(5, TimeUnit.SECONDS);
    assertThat(in.nextText.get(5, TimeUnit.SECONDS)).isEqualTo("still there");
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  @Test
  void aServerThatSwitchesProtocolsUnaskedGetsTheClientA502() throws Exception {
    try (ScriptedHttpServer rogue =
        new ScriptedHttpServer(
            path ->
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")) {
      vip(rogue.port());
      try (Socket s = new Socket("127.0.0.1", vipPort)) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(
            "GET /plain HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream answer = s.getInputStream();
        assertThat(new String(answer.readAllBytes(), StandardCharsets.ISO_8859_1))
            .startsWith("HTTP/1.1 502 Bad Gateway");
      }
    }
  }
}
