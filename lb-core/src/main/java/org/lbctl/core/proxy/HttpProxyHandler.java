package org.lbctl.core.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.config.PersistenceMode;
import org.lbctl.core.http.HttpRequestDefences;
import org.lbctl.core.persistence.StickyCookie;
import org.lbctl.core.service.Choice;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP mode of a virtual service, one per client connection: each request is routed on its own
 * (the persistence cookie, else the virtual service's choice), sent over a kept-alive connection to
 * its real server (reused while requests go to the same one), with X-Forwarded-For and
 * X-Forwarded-Proto added and hop-by-hop headers dropped; the response comes back with the cookie
 * inserted when the client did not hold the right one. One exchange at a time: the next request is
 * read when the response is complete. Bodies stream both ways, read only as fast as the other side
 * writes.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(HttpProxyHandler.class);
  private static final List<CharSequence> HOP_BY_HOP =
      List.of(
          HttpHeaderNames.CONNECTION,
          io.netty.util.AsciiString.cached("keep-alive"),
          io.netty.util.AsciiString.cached("proxy-connection"),
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.UPGRADE);

  private final VipListener listener;
  private final ProxySettings settings;
  private final boolean tls;
  private final java.util.function.BiFunction<String, String, io.netty.handler.ssl.SslContext>
      reencryption;
  private VirtualServiceRuntime vip;
  private ChannelHandlerContext client;
  private Channel server;
  private InetSocketAddress serverTarget;
  private Backend serverBackend;
  // The exchange under way.
  private HttpRequest request;
  private boolean clientKeepAlive;
  private String insertCookieFor;
  // Body parts that arrived before the request went out (the decoder hands over all it has).
  private final List<HttpContent> early = new java.util.ArrayList<>();
  private boolean forwarded;
  // The whole request, body included, is with the server: only then may its connection be reused.
  private boolean requestSent;
  private boolean responseStarted;
  private final Set<RealServerState> tried = new HashSet<>();

  /**
   * @param tls whether clients reach this listener over TLS (X-Forwarded-Proto, Secure cookie)
   * @param reencryption the TLS client context for a (virtual service, real server), or null for
   *     plain
   */
  HttpProxyHandler(
      VipListener listener,
      ProxySettings settings,
      boolean tls,
      java.util.function.BiFunction<String, String, io.netty.handler.ssl.SslContext> reencryption) {
    this.listener = listener;
    this.settings = settings;
    this.tls = tls;
    this.reencryption = reencryption;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx;
    vip = listener.runtime();
    vip.counters().opened();
    ctx.channel().closeFuture().addListener(f -> vip.counters().closed());
    ctx.fireChannelActive();
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest r) {
      begin(r);
      return;
    }
    if (msg instanceof HttpContent c) {
      if (request == null) {
        // The rest of a request already answered (the server did not wait for the body).
        ReferenceCountUtil.release(c);
        ctx.read();
        return;
      }
      if (!forwarded) {
        early.add(c);
        return;
      }
      requestSent |= c instanceof LastHttpContent;
      server.writeAndFlush(c);
      if (!(c instanceof LastHttpContent)) {
        readClientWhenServerWritable();
      }
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void begin(HttpRequest r) {
    vip = listener.runtime();
    request = r;
    forwarded = false;
    requestSent = false;
    responseStarted = false;
    clientKeepAlive = HttpUtil.isKeepAlive(r);
    if (vip.config().forceHttps()) {
      redirectToHttps(r);
      return;
    }
    tried.clear();
    route();
  }

  /** Epic's port-80 VIPs: the same host and target, on https. */
  private void redirectToHttps(HttpRequest r) {
    String host = r.headers().get(HttpHeaderNames.HOST);
    if (host == null || host.isBlank()) {
      answer(HttpResponseStatus.BAD_REQUEST, "a redirect to https needs a Host header", false);
      return;
    }
    FullHttpResponse moved =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY);
    moved
        .headers()
        .set(HttpHeaderNames.LOCATION, "https://" + hostWithoutPort(host) + r.uri())
        .set(HttpHeaderNames.CONTENT_LENGTH, 0);
    finishWith(moved);
  }

  private static String hostWithoutPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 ? host.substring(0, end + 1) : host;
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** Picks where this request goes and sends it there. */
  private void route() {
    InetSocketAddress clientAddress = (InetSocketAddress) client.channel().remoteAddress();
    Optional<StickyCookie> cookie = cookie();
    Choice choice = null;
    insertCookieFor = null;
    if (cookie.isPresent()) {
      List<String> labels = vip.backends().stream().map(Backend::label).toList();
      Optional<String> named =
          cookie.get().serverIn(request.headers().getAll(HttpHeaderNames.COOKIE), labels);
      Optional<Choice> stuck =
          named
              .filter(n -> tried.stream().noneMatch(t -> t.label().equals(n)))
              .flatMap(n -> vip.cookieChoice(n, listener.port()));
      choice = stuck.orElse(null);
    }
    if (choice == null) {
      choice = vip.choose(clientAddress.getAddress(), listener.port(), tried);
      if (cookie.isPresent() && choice.kind() == Choice.Kind.SERVER) {
        insertCookieFor = choice.backend().label();
      }
    }
    switch (choice.kind()) {
      case SERVER, FALLBACK -> send(choice.target(), choice.backend());
      case QUEUE ->
          answer(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "every real server is at its maximum connections",
              false);
      case REFUSE -> {
        vip.counters().countRefused();
        answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "no real server is available", false);
      }
    }
  }

  private Optional<StickyCookie> cookie() {
    if (vip.config().persistence().mode() != PersistenceMode.HTTP_COOKIE) {
      return Optional.empty();
    }
    return Optional.of(new StickyCookie(vip.label(), vip.config().persistence().cookie()));
  }

  /** Over the kept connection when it goes to the same place, else over a new one. */
  private void send(InetSocketAddress target, Backend backend) {
    if (server != null && server.isActive() && target.equals(serverTarget)) {
      if (backend != null) {
        // The kept connection already holds this server's slot.
        backend.state().release();
      }
      forwardRequest();
      return;
    }
    if (server != null) {
      server.close();
    }
    if (backend == null) {
      vip.counters().countFallback();
    }
    serverTarget = target;
    serverBackend = backend;
    Channel inbound = client.channel();
    // An HTTP exchange ends with a close, not a half-close.
    ChannelFuture f =
        ServerConnections.connect(
            ServerConnections.bootstrap(settings, inbound.eventLoop(), vip)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, false),
            vip,
            target,
            inbound);
    server = f.channel();
    if (backend != null) {
      RealServerState state = backend.state();
      server.closeFuture().addListener(x -> state.release());
    }
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            connectFailed(target, backend, done.cause());
            return;
          }
          if (!client.channel().isActive()) {
            server.close();
            return;
          }
          if (backend != null) {
            vip.connected(
                ((InetSocketAddress) client.channel().remoteAddress()).getAddress(), backend);
          }
          Channel s = server;
          io.netty.handler.ssl.SslContext reencrypt =
              backend == null ? null : reencryption.apply(vip.label(), backend.label());
          if (reencrypt != null) {
            s.pipeline()
                .addLast(reencrypt.newHandler(s.alloc(), target.getHostString(), target.getPort()));
          }
          s.pipeline().addLast(new HttpClientCodec(), new ServerSide(s));
          s.closeFuture().addListener(x -> serverClosed(s));
          forwardRequest();
        });
  }

  private void connectFailed(InetSocketAddress target, Backend backend, Throwable cause) {
    server = null;
    serverTarget = null;
    if (backend == null) {
      answer(HttpResponseStatus.BAD_GATEWAY, "the fallback server cannot be reached", false);
      return;
    }
    ServerConnections.failed(settings, log, vip, backend, target, cause, tried);
    route();
  }

  /** The request as the real server gets it. */
  private void forwardRequest() {
    HttpHeaders h = request.headers();
    for (String connectionOption : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String name : connectionOption.split(",")) {
        h.remove(name.strip());
      }
    }
    HOP_BY_HOP.forEach(h::remove);
    String clientIp =
        ((InetSocketAddress) client.channel().remoteAddress()).getAddress().getHostAddress();
    String before = h.get("X-Forwarded-For");
    h.set("X-Forwarded-For", before == null ? clientIp : before + ", " + clientIp);
    h.set("X-Forwarded-Proto", tls ? "https" : "http");
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    server.write(request);
    forwarded = true;
    boolean complete = false;
    for (HttpContent c : early) {
      complete |= c instanceof LastHttpContent;
      server.write(c);
    }
    requestSent = complete;
    early.clear();
    server.flush();
    server.read();
    if (!complete) {
      readClientWhenServerWritable();
    }
  }

  private void readClientWhenServerWritable() {
    if (server.isWritable()) {
      client.read();
    }
    // Otherwise ServerSide.channelWritabilityChanged reads when the server drains.
  }

  /** Answers the client from here (no real server) and ends the exchange. */
  private void answer(HttpResponseStatus status, String why, boolean keepAlive) {
    log.debug("vip {}: {} to {}: {}", vip.label(), status.code(), client.channel(), why);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(status.reasonPhrase() + "\n", StandardCharsets.US_ASCII));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .set(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
    if (!keepAlive) {
      clientKeepAlive = false;
    }
    finishWith(r);
  }

  private void finishWith(FullHttpResponse r) {
    if (!forwarded) {
      ReferenceCountUtil.release(request);
      early.forEach(ReferenceCountUtil::release);
      early.clear();
    }
    if (!clientKeepAlive) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      client.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    client.writeAndFlush(r);
    nextRequest();
  }

  private void nextRequest() {
    request = null;
    forwarded = false;
    // From the head: the defences before this handler start the clock for the next request.
    client.channel().pipeline().fireUserEventTriggered(HttpRequestDefences.NEXT_REQUEST);
    client.read();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
      // Nothing moved either way for the client timeout.
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void serverClosed(Channel s) {
    if (s != server) {
      return;
    }
    server = null;
    serverTarget = null;
    if (request != null && client.channel().isActive()) {
      if (!responseStarted) {
        // Nothing of a response yet (a refused TLS handshake, a crash): say so.
        answer(HttpResponseStatus.BAD_GATEWAY, "the real server closed without answering", false);
      } else {
        // Mid-response: the client cannot tell where its response ended.
        client.close();
      }
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && server != null) {
      server.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (server != null) {
      server.close();
    }
    early.forEach(ReferenceCountUtil::release);
    early.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug(
        "vip {}: client {}: {}", vip.label(), ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /** The real server's side of the exchange: its response goes to the client. */
  private final class ServerSide extends ChannelInboundHandlerAdapter {
    private final Channel channel;
    private boolean serverKeepAlive;
    // A 100 Continue (or other 1xx) came: its end is not the end of the exchange.
    private boolean interim;

    ServerSide(Channel channel) {
      this.channel = channel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (channel != server || !(msg instanceof HttpObject)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse r
          && r.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL
          && r.status().code() != 101) {
        interim = true;
        client.writeAndFlush(msg);
        channel.read();
        return;
      }
      if (interim && msg instanceof LastHttpContent) {
        // The client's encoder wants the interim response's end as well.
        interim = false;
        client.writeAndFlush(msg);
        channel.read();
        return;
      }
      if (msg instanceof HttpResponse r) {
        responseStarted = true;
        serverKeepAlive = HttpUtil.isKeepAlive(r);
        HttpHeaders h = r.headers();
        HOP_BY_HOP.forEach(h::remove);
        if (insertCookieFor != null) {
          h.add(
              HttpHeaderNames.SET_COOKIE,
              new StickyCookie(vip.label(), vip.config().persistence().cookie())
                  .setCookie(insertCookieFor, tls));
        }
        if (!clientKeepAlive) {
          h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (msg instanceof LastHttpContent) {
          // A full response in one piece.
          ended(ctx, msg);
          return;
        }
        client.writeAndFlush(msg);
        readServerWhenClientWritable();
        return;
      }
      if (msg instanceof LastHttpContent) {
        ended(ctx, msg);
        return;
      }
      client.writeAndFlush(msg);
      readServerWhenClientWritable();
    }

    private void ended(ChannelHandlerContext ctx, Object last) {
      ChannelFuture written = client.writeAndFlush(last);
      if (!serverKeepAlive || !requestSent) {
        // A server that answered before the whole body arrived would read what we send next as
        // the rest of that body: this connection is done.
        channel.close();
      }
      if (!clientKeepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      nextRequest();
    }

    private void readServerWhenClientWritable() {
      if (client.channel().isWritable()) {
        channel.read();
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.fireChannelActive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && request != null) {
        client.read();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("vip {}: real server {}: {}", vip.label(), serverBackend, cause.toString());
      ctx.close();
    }
  }
}
