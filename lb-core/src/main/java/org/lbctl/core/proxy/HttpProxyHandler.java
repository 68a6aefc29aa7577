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

  private final VipListener listener;
  private final ProxySettings settings;
  private final boolean tls;
  private final java.util.function.BiFunction<String, String, io.netty.handler.ssl.SslContext>
      reencryption;
  private VirtualServiceRuntime vip;
  private ChannelHandlerContext client;
  // The client's address, and as X-Forwarded-For writes it: once per connection, not per request.
  private InetSocketAddress clientAddress;
  private String clientIp;
  private Channel server;
  private InetSocketAddress serverTarget;
  private ServerPool.Key serverKey;
  // The server connection finished its last exchange cleanly and may serve another client.
  private boolean serverIdle;
  // This exchange went over a connection that served an earlier one (the server may have closed
  // it meanwhile: a bodiless request is then sent again on a new connection).
  private boolean reused;
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
  private boolean bodiless;
  // What the client sent as X-Forwarded-For: a request sent twice gets our address added once.
  private String forwardedFor;
  private final Set<RealServerState> tried = new HashSet<>();
  // Counts exchanges: a connect that completes for one that is over has no one to serve.
  private long exchange;
  // The last answer is on its way and the connection closes after it: nothing more is said.
  private boolean closing;
  // The protocol this exchange's request asks to switch to (a WebSocket), or null; and whether the
  // server agreed (101), so that the exchange's end opens a tunnel instead of the next request.
  private String upgrade;
  private boolean switching;

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
    clientAddress = (InetSocketAddress) ctx.channel().remoteAddress();
    clientIp = clientAddress.getAddress().getHostAddress();
    vip = listener.runtime();
    vip.counters().opened();
    ctx.channel().closeFuture().addListener(f -> vip.counters().closed());
    ctx.fireChannelActive();
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest r) {
      if (request != null) {
        // HttpPipelining holds a request until the exchange before it is over: never two at once.
        log.error(
            "vip {}: client {} had a second request handed over mid-exchange; closing it",
            vip.label(),
            ctx.channel().remoteAddress());
        ReferenceCountUtil.release(r);
        ctx.close();
        return;
      }
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
      if (server == null) {
        // Answered from here, the connection closing: the rest of the body goes nowhere.
        ReferenceCountUtil.release(c);
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
    exchange++;
    request = r;
    upgrade = HttpTunnel.asked(r);
    switching = false;
    forwarded = false;
    requestSent = false;
    responseStarted = false;
    bodiless = !HttpUtil.isTransferEncodingChunked(r) && HttpUtil.getContentLength(r, 0) == 0;
    forwardedFor = r.headers().get("X-Forwarded-For");
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
    Optional<String> location =
        HopByHop.httpsLocation(r.headers().get(HttpHeaderNames.HOST), r.uri());
    if (location.isEmpty()) {
      answer(HttpResponseStatus.BAD_REQUEST, "a redirect to https needs a Host header", false);
      return;
    }
    FullHttpResponse moved =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY);
    moved
        .headers()
        .set(HttpHeaderNames.LOCATION, location.get())
        .set(HttpHeaderNames.CONTENT_LENGTH, 0);
    finishWith(moved);
  }

  /** Picks where this request goes and sends it there. */
  private void route() {
    Optional<StickyCookie> cookie = vip.cookie();
    Choice choice = null;
    insertCookieFor = null;
    if (cookie.isPresent()) {
      Optional<String> named =
          cookie
              .get()
              .serverIn(request.headers().getAll(HttpHeaderNames.COOKIE), vip.serverLabels());
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

  /** Over the kept connection when it goes to the same place, else over a new one. */
  private void send(InetSocketAddress target, Backend backend) {
    io.netty.handler.ssl.SslContext reencrypt =
        backend == null ? null : reencryption.apply(vip.label(), backend.label());
    ServerPool.Key key = new ServerPool.Key(target, reencrypt);
    if (server != null && server.isActive() && key.equals(serverKey)) {
      if (backend != null) {
        // The kept connection already holds this server's slot.
        backend.state().release();
      }
      reused = true;
      forwardRequest();
      return;
    }
    parkServer();
    if (backend == null) {
      vip.counters().countFallback();
    }
    serverTarget = target;
    serverBackend = backend;
    serverKey = key;
    Channel pooled = ServerPool.borrow(key);
    if (pooled != null) {
      adopt(pooled, backend, true);
      reused = true;
      pooled.pipeline().replace(ServerSide.class, "server", new ServerSide(pooled));
      if (backend != null) {
        vip.connected(clientAddress.getAddress(), backend);
      }
      forwardRequest();
      return;
    }
    reused = false;
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
    adopt(server, backend, false);
    Channel created = server;
    long forExchange = exchange;
    // One listener for the connection's whole life: it tells whoever owns it then.
    created
        .closeFuture()
        .addListener(
            x -> {
              HttpProxyHandler owner = created.attr(ServerPool.OWNER).get();
              ServerPool.closed(created);
              if (owner != null) {
                owner.serverClosed(created);
              }
            });
    f.addListener(
        done -> {
          if (!client.executor().inEventLoop()) {
            // A socket that could not even be created (no file descriptors left) fails on
            // Netty's global thread: this handler's state belongs to the client's loop.
            client
                .executor()
                .execute(() -> connectDone(done, created, forExchange, target, backend, reencrypt));
            return;
          }
          connectDone(done, created, forExchange, target, backend, reencrypt);
        });
  }

  /** The connect of {@code created}, made for exchange {@code forExchange}, is over. */
  private void connectDone(
      io.netty.util.concurrent.Future<?> done,
      Channel created,
      long forExchange,
      InetSocketAddress target,
      Backend backend,
      io.netty.handler.ssl.SslContext reencrypt) {
    if (!done.isSuccess() && !created.isRegistered()) {
      // Never registered, so never closed by Netty: give its slot back here.
      ServerPool.closed(created);
    }
    if (created != server || forExchange != exchange || request == null) {
      // Given up while it connected (the exchange was answered, the client left, or the
      // request went elsewhere): nobody waits for it, and its failure says nothing.
      created.close();
      return;
    }
    if (!done.isSuccess()) {
      connectFailed(target, backend, done.cause());
      return;
    }
    if (!client.channel().isActive()) {
      created.close();
      return;
    }
    if (backend != null) {
      vip.connected(clientAddress.getAddress(), backend);
    }
    Channel s = created;
    s.attr(ServerPool.OWNER).set(this);
    if (backend != null) {
      RealServerState state = backend.state();
      // Server side: what the server got is its "in", what it answered its "out".
      s.pipeline().addLast(new ByteCounter(state::addBytesOut, state::addBytesIn));
    }
    if (reencrypt != null) {
      s.pipeline()
          .addLast(reencrypt.newHandler(s.alloc(), target.getHostString(), target.getPort()));
    }
    s.pipeline().addLast(responseCodec()).addLast("server", new ServerSide(s));
    forwardRequest();
  }

  /**
   * The server side's codec, with the response limits requests have (Netty's defaults, 4 KiB for
   * the status line and 8 KiB of headers, turn a web application's large cookies or security
   * headers into 502s).
   */
  private static HttpClientCodec responseCodec() {
    return new HttpClientCodec(
        new io.netty.handler.codec.http.HttpDecoderConfig()
            .setMaxInitialLineLength(org.lbctl.core.http.HttpLimits.DEFAULT.maxRequestLine())
            .setMaxHeaderSize(org.lbctl.core.http.HttpLimits.DEFAULT.maxHeaderBytes())
            .setMaxChunkSize(65536),
        false,
        false);
  }

  /**
   * This handler uses {@code c} now, holding {@code backend}'s slot (taken by the choice). A
   * connection still connecting gets its owner once connected: a failed connect is not a close to
   * report.
   */
  private void adopt(Channel c, Backend backend, boolean connected) {
    server = c;
    c.attr(ServerPool.OWNER).set(connected ? this : null);
    c.attr(ServerPool.SLOT).set(backend == null ? null : backend.state());
  }

  /** Parks the current server connection for another client, or closes it mid-exchange. */
  private void parkServer() {
    Channel s = server;
    server = null;
    serverTarget = null;
    if (s == null) {
      return;
    }
    if (s.isActive() && serverIdle) {
      ServerPool.park(s, serverKey);
    } else {
      s.attr(ServerPool.OWNER).set(null);
      s.close();
    }
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
    serverIdle = false;
    HttpHeaders h = request.headers();
    HopByHop.drop(h);
    if (upgrade != null) {
      HttpTunnel.keepUpgrade(h, upgrade);
    }
    h.set("X-Forwarded-For", forwardedFor == null ? clientIp : forwardedFor + ", " + clientIp);
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
      closing = true;
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      // The client may still be sending the body: the answer must reach it whole.
      org.lbctl.core.http.LingeringClose.after(client.writeAndFlush(r));
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
    if (evt instanceof HttpRequestDefences.MalformedBody m) {
      malformedBody(m.reason());
      return;
    }
    if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
      // Nothing moved either way for the client timeout.
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /**
   * The client's body cannot be framed: the real server must never get this request whole, so a
   * connection that carries part of it is aborted (the last chunk never goes out); the client gets
   * 400 unless its response has started, and its connection ends either way.
   */
  private void malformedBody(String reason) {
    if (closing) {
      return;
    }
    if (request == null) {
      // Answered already; what it sends now cannot be read. What is written goes out first.
      closeAfterWrites();
      return;
    }
    if (server != null && !requestSent) {
      Channel s = server;
      server = null;
      serverTarget = null;
      s.attr(ServerPool.OWNER).set(null);
      s.close();
    }
    if (responseStarted) {
      closeAfterWrites();
      return;
    }
    answer(HttpResponseStatus.BAD_REQUEST, reason, false);
  }

  private void closeAfterWrites() {
    closing = true;
    org.lbctl.core.http.LingeringClose.after(client.writeAndFlush(Unpooled.EMPTY_BUFFER));
  }

  void serverClosed(Channel s) {
    if (s != server) {
      return;
    }
    server = null;
    serverTarget = null;
    if (request != null && client.channel().isActive()) {
      if (!responseStarted && reused && requestSent && bodiless) {
        // A kept connection the server had closed just as we reused it: try a fresh one.
        log.debug("vip {}: a reused server connection closed; sending again", vip.label());
        forwarded = false;
        early.add(LastHttpContent.EMPTY_LAST_CONTENT);
        tried.clear();
        route();
        return;
      }
      if (!responseStarted) {
        // Nothing of a response yet (a refused TLS handshake, a crash): say so.
        vip.counters().countRejected(org.lbctl.core.http.HttpRejection.SERVER_CLOSED);
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
      parkServer();
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

  /** The server switched protocols: from now on both connections carry its bytes as they come. */
  private void tunnel(Channel s, ChannelInboundHandlerAdapter serverSide) {
    s.attr(ServerPool.OWNER).set(null);
    server = null;
    serverTarget = null;
    request = null;
    log.debug(
        "vip {}: {} switched to {} with {}", vip.label(), clientIp, upgrade, s.remoteAddress());
    HttpTunnel.open(
        client.channel(),
        this,
        s,
        serverSide,
        vip.config().timeouts(),
        vip.label() + " " + upgrade + " " + clientIp);
  }

  /** The server spoke out of turn: its connection's framing can no longer be trusted. */
  private void unasked(Channel c) {
    if (c.isOpen()) {
      settings
          .badResponseLog()
          .warn(
              log,
              "vip {}: real server {} sent data with no request outstanding; closing that"
                  + " connection",
              vip.label(),
              c.remoteAddress());
      c.close();
    }
  }

  /**
   * A response that cannot be framed safely (two lengths, chunked with a length, not HTTP, a broken
   * chunk): before anything reached the client it gets 502 and may go on; mid-response it is cut
   * off, since it cannot tell where its response ended. The server connection is closed either way.
   */
  private void malformed(Channel c, Throwable cause) {
    settings
        .badResponseLog()
        .warn(
            log,
            "vip {}: real server {} sent a malformed response ({}); closing that connection",
            vip.label(),
            c.remoteAddress(),
            cause.getMessage());
    boolean started = responseStarted;
    server = null;
    serverTarget = null;
    c.attr(ServerPool.OWNER).set(null);
    c.close();
    if (started) {
      // What was well-formed goes out, then the end of the connection: never a last chunk.
      vip.counters().countRejected(org.lbctl.core.http.HttpRejection.RESPONSE_CUT);
      client.flush();
      client.close();
    } else {
      vip.counters().countRejected(org.lbctl.core.http.HttpRejection.MALFORMED_RESPONSE);
      answer(HttpResponseStatus.BAD_GATEWAY, "the real server's response is malformed", true);
    }
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
      if (channel != server || request == null || !(msg instanceof HttpObject o)) {
        // Nothing was asked of this connection: what a server sends out of turn (a second
        // response, bytes while parked) would be read as the answer to the next request.
        ReferenceCountUtil.release(msg);
        unasked(channel);
        return;
      }
      if (o.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        malformed(channel, o.decoderResult().cause());
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
      if (msg instanceof HttpResponse r && r.status().code() == 101) {
        if (upgrade == null) {
          ReferenceCountUtil.release(msg);
          malformed(channel, new IllegalStateException("101 to a request that asked no upgrade"));
          return;
        }
        switching = true;
        responseStarted = true;
        String protocol = r.headers().get(HttpHeaderNames.UPGRADE, upgrade);
        HopByHop.drop(r.headers());
        HttpTunnel.keepUpgrade(r.headers(), protocol);
        if (msg instanceof LastHttpContent) {
          ended(ctx, msg);
          return;
        }
        client.write(msg);
        channel.read();
        return;
      }
      if (msg instanceof HttpResponse r) {
        responseStarted = true;
        serverKeepAlive = HttpUtil.isKeepAlive(r);
        HttpHeaders h = r.headers();
        HopByHop.drop(h);
        if (insertCookieFor != null) {
          h.add(
              HttpHeaderNames.SET_COOKIE,
              vip.cookie().orElseThrow().setCookie(insertCookieFor, tls));
        }
        if (!clientKeepAlive) {
          h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        if (msg instanceof LastHttpContent) {
          // A full response in one piece.
          ended(ctx, msg);
          return;
        }
        // Flushed once per read from the server (channelReadComplete), not once per part.
        client.write(msg);
        readServerWhenClientWritable();
        return;
      }
      if (msg instanceof LastHttpContent) {
        ended(ctx, msg);
        return;
      }
      client.write(msg);
      readServerWhenClientWritable();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      client.flush();
      ctx.fireChannelReadComplete();
    }

    private void ended(ChannelHandlerContext ctx, Object last) {
      ChannelFuture written = client.writeAndFlush(last);
      if (switching) {
        tunnel(channel, this);
        return;
      }
      serverIdle = serverKeepAlive && requestSent;
      if (!serverIdle) {
        // Not kept alive, or a server that answered before the whole body arrived (it would read
        // what we send next as the rest of that body): this connection is done. Its close is no
        // news to this exchange, which ended well (the close completes at once, listeners too).
        channel.attr(ServerPool.OWNER).set(null);
        server = null;
        serverTarget = null;
        channel.close();
      }
      if (!clientKeepAlive) {
        closing = true;
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
