package org.lbctl.core.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.config.Trailers;
import org.lbctl.core.http.HttpRejection;
import org.lbctl.core.http.HttpRequestDefences;
import org.lbctl.core.http.LingeringClose;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP exchanges of one client connection, last in its pipeline after the framing and the
 * defences: each request is routed on its own ({@link HttpRoute}), sent over the client's {@link
 * UpstreamLink} with X-Forwarded-For and X-Forwarded-Proto added and hop-by-hop headers dropped;
 * the response comes back through the server's {@link ServerResponseRelay} with the persistence
 * cookie inserted when the client did not hold the right one. One exchange at a time ({@link
 * org.lbctl.core.http.HttpPipelining} holds the next request until this one is over). Bodies stream
 * both ways, read only as fast as the other side writes.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter
    implements UpstreamLink.Events, ServerResponseRelay.Target {
  private static final Logger log = LoggerFactory.getLogger(HttpProxyHandler.class);

  private final VipListener listener;
  private final ProxySettings settings;
  private final boolean tls;
  private final BiFunction<String, String, SslContext> reencryption;
  private VirtualServiceRuntime vip;
  private ChannelHandlerContext client;
  private UpstreamLink link;
  // The client's address, and as X-Forwarded-For writes it: once per connection, not per request.
  private InetSocketAddress clientAddress;
  private String clientIp;
  // The exchange under way.
  private HttpRequest request;
  private boolean clientKeepAlive;
  private String insertCookieFor;
  // Body parts that arrived before the request went out (the decoder hands over all it has).
  private final List<HttpContent> early = new ArrayList<>();
  private boolean forwarded;
  // The whole request, body included, is with the server: only then may its connection be reused.
  private boolean requestSent;
  private boolean responseStarted;
  private boolean bodiless;
  // What the client sent as X-Forwarded-For: a request sent twice gets our address added once.
  private String forwardedFor;
  private final Set<RealServerState> tried = new HashSet<>();
  // The request body's bytes so far, held to the virtual service's maxRequestBody.
  private long bodyBytes;
  // Counts exchanges: a connect that completes for one that is over has no one to serve.
  private long exchange;
  // The last answer is on its way and the connection closes after it: nothing more is said.
  private boolean closing;
  // The protocol this exchange's request asks to switch to (a WebSocket), or null; and whether the
  // server agreed (101), so that the exchange's end opens a tunnel instead of the next request.
  private String upgrade;
  private boolean switching;
  // The server connection whose close ends this exchange's response (no length, not chunked): its
  // close is the response's end, not a cut.
  private Channel untilClose;

  /**
   * @param tls whether clients reach this listener over TLS (X-Forwarded-Proto, Secure cookie)
   * @param reencryption the TLS client context for a (virtual service, real server), or null for
   *     plain
   */
  HttpProxyHandler(
      VipListener listener,
      ProxySettings settings,
      boolean tls,
      BiFunction<String, String, SslContext> reencryption) {
    this.listener = listener;
    this.settings = settings;
    this.tls = tls;
    this.reencryption = reencryption;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      // Added once TLS chose HTTP/1.1: the connection is up already.
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (client != null) {
      return;
    }
    client = ctx;
    link = new UpstreamLink(ctx, settings, this, this);
    clientAddress = (InetSocketAddress) ctx.channel().remoteAddress();
    clientIp = clientAddress.getAddress().getHostAddress();
    vip = listener.runtime();
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
      body(ctx, c);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private void body(ChannelHandlerContext ctx, HttpContent c) {
    if (closing) {
      // The last answer is on its way: what the client still sends is dropped.
      ReferenceCountUtil.release(c);
      return;
    }
    if (request == null) {
      // The rest of a request already answered (the server did not wait for the body).
      ReferenceCountUtil.release(c);
      ctx.read();
      return;
    }
    bodyBytes += c.content().readableBytes();
    long max = vip.config().maxRequestBody();
    if (max > 0 && bodyBytes > max) {
      ReferenceCountUtil.release(c);
      refuseBody(HttpRejection.BODY_TOO_LARGE, "request body over " + max + " bytes");
      return;
    }
    c = withTrailersAsConfigured(c);
    if (!forwarded) {
      early.add(c);
      return;
    }
    Channel server = link.channel();
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
  }

  /** The body's end without its trailers, when the virtual service drops them. */
  private HttpContent withTrailersAsConfigured(HttpContent c) {
    if (c instanceof LastHttpContent last
        && !(c instanceof io.netty.handler.codec.http.HttpMessage)
        && !last.trailingHeaders().isEmpty()
        && vip.config().trailers() == Trailers.DROP) {
      return new DefaultLastHttpContent(last.content());
    }
    return c;
  }

  private void begin(HttpRequest r) {
    vip = listener.runtime();
    exchange++;
    request = r;
    upgrade = HttpTunnel.asked(r);
    switching = false;
    untilClose = null;
    forwarded = false;
    requestSent = false;
    responseStarted = false;
    bodiless = !HttpUtil.isTransferEncodingChunked(r) && HttpUtil.getContentLength(r, 0) == 0;
    forwardedFor = r.headers().get("X-Forwarded-For");
    clientKeepAlive = HttpUtil.isKeepAlive(r);
    bodyBytes = 0;
    long max = vip.config().maxRequestBody();
    if (max > 0 && HttpUtil.getContentLength(r, -1L) > max) {
      // Said up front: refused before any of it is read or sent.
      refuseBody(HttpRejection.BODY_TOO_LARGE, "a declared body over " + max + " bytes");
      return;
    }
    if (vip.config().forceHttps()) {
      // Epic's port-80 VIPs: the same host and target, on https.
      Optional<String> location =
          LocalResponses.httpsLocation(r.headers().get(HttpHeaderNames.HOST), r.uri());
      if (location.isEmpty()) {
        answer(HttpResponseStatus.BAD_REQUEST, "a redirect to https needs a Host header", false);
      } else {
        finishWith(LocalResponses.movedTo(location.get()));
      }
      return;
    }
    tried.clear();
    route();
  }

  /** Picks where this request goes and sends it there. */
  private void route() {
    HttpRoute route =
        HttpRoute.of(vip, listener.port(), request, clientAddress.getAddress(), tried);
    insertCookieFor = route.insertCookieFor();
    switch (route.choice().kind()) {
      case SERVER, FALLBACK -> send(route.choice().target(), route.choice().backend());
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

  /** Over the kept connection when it goes to the same place, else a pooled or a new one. */
  private void send(InetSocketAddress target, Backend backend) {
    SslContext reencrypt =
        backend == null ? null : reencryption.apply(vip.label(), backend.label());
    ServerPool.Key key = new ServerPool.Key(target, reencrypt);
    if (link.keeps(key)) {
      if (backend != null) {
        // The kept connection already holds this server's slot.
        backend.state().release();
      }
      forwardRequest();
      return;
    }
    link.park();
    if (backend == null) {
      vip.counters().countFallback();
    }
    if (link.borrow(key, backend)) {
      if (backend != null) {
        vip.connected(clientAddress.getAddress(), backend);
      }
      forwardRequest();
      return;
    }
    link.connect(vip, key, backend, exchange);
  }

  @Override
  public boolean waiting(long forExchange) {
    return forExchange == exchange && request != null && !closing;
  }

  @Override
  public void connected(long forExchange, Backend backend) {
    if (backend != null) {
      vip.connected(clientAddress.getAddress(), backend);
    }
    forwardRequest();
  }

  @Override
  public void connectFailed(
      long forExchange, InetSocketAddress target, Backend backend, Throwable cause) {
    if (backend == null) {
      answer(HttpResponseStatus.BAD_GATEWAY, "the fallback server cannot be reached", false);
      return;
    }
    ServerConnections.failed(settings, log, vip, backend, target, cause, tried);
    route();
  }

  /** The request as the real server gets it. */
  private void forwardRequest() {
    Channel server = link.channel();
    link.idle(false);
    MessageRewrites.request(request, forwardedFor, clientIp, tls, upgrade);
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
    if (link.channel().isWritable()) {
      client.read();
    }
    // Otherwise ServerResponseRelay.channelWritabilityChanged reads when the server drains.
  }

  /** Answers the client from here (no real server) and ends the exchange. */
  private void answer(HttpResponseStatus status, String why, boolean keepAlive) {
    log.debug("vip {}: {} to {}: {}", vip.label(), status.code(), client.channel(), why);
    if (!keepAlive) {
      clientKeepAlive = false;
    }
    finishWith(LocalResponses.plain(status));
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
      LingeringClose.after(client.writeAndFlush(r));
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
    if (evt instanceof IdleStateEvent) {
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
    refuseBody(HttpRejection.MALFORMED_BODY, reason);
  }

  /**
   * The request's body may not reach the real server whole (it cannot be framed, or it is too
   * large): a server connection that carries part of it is aborted (the last chunk never goes out);
   * the client gets the refusal's status unless its response has started, and its connection ends
   * either way.
   */
  private void refuseBody(HttpRejection why, String reason) {
    if (closing) {
      return;
    }
    if (why != HttpRejection.MALFORMED_BODY) {
      // The defences counted and logged a malformed body; this handler refuses the rest itself.
      vip.counters().countRejected(why);
      log.info("vip {}: {} from {}: {}", vip.label(), why.status(), clientIp, reason);
    }
    if (request == null) {
      // Answered already; what it sends now cannot be read. What is written goes out first.
      closeAfterWrites();
      return;
    }
    if (!requestSent) {
      link.drop();
    }
    if (responseStarted) {
      closeAfterWrites();
      return;
    }
    answer(HttpResponseStatus.valueOf(why.status()), reason, false);
  }

  private void closeAfterWrites() {
    closing = true;
    LingeringClose.after(client.writeAndFlush(Unpooled.EMPTY_BUFFER));
  }

  @Override
  public void closed() {
    if (request == null || !client.channel().isActive() || untilClose != null) {
      // The relay brings a close-delimited response's end.
      return;
    }
    if (!responseStarted && link.reused() && requestSent && bodiless) {
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
      vip.counters().countRejected(HttpRejection.SERVER_CLOSED);
      answer(HttpResponseStatus.BAD_GATEWAY, "the real server closed without answering", false);
    } else {
      // Mid-response: the client cannot tell where its response ended.
      client.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Channel server = link.channel();
    if (ctx.channel().isWritable() && server != null) {
      server.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    link.park();
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

  // The response's side, as the server connection's relay reports it.

  @Override
  public ChannelHandlerContext client() {
    return client;
  }

  @Override
  public boolean awaits(Channel server) {
    return (server == link.channel() || server == untilClose) && request != null;
  }

  @Override
  public boolean exchangeOpen() {
    return request != null;
  }

  @Override
  public boolean head(HttpResponse r) {
    HttpHeaders h = r.headers();
    if (r.status().code() == 101) {
      if (upgrade == null) {
        malformed(link.channel(), new IllegalStateException("101 to a request that asked none"));
        return false;
      }
      responseStarted = true;
      switching = true;
      MessageRewrites.switching(r, upgrade);
      return true;
    }
    responseStarted = true;
    HopByHop.drop(h);
    if (insertCookieFor != null) {
      h.add(HttpHeaderNames.SET_COOKIE, vip.cookie().orElseThrow().setCookie(insertCookieFor, tls));
    }
    if (!MessageRewrites.framed(r, request.method())) {
      // Its body runs to the server's close, and the client can only tell its end the same way.
      untilClose = link.channel();
      clientKeepAlive = false;
    }
    if (!clientKeepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return true;
  }

  @Override
  public void ended(
      Channel server, boolean serverKeepAlive, Object last, ServerResponseRelay relay) {
    // Known before the end is written: an HTTP/2 stream may close as it goes, parking the link.
    boolean clean = serverKeepAlive && requestSent && !switching;
    link.idle(clean);
    ChannelFuture written =
        client.writeAndFlush(last instanceof HttpContent c ? withTrailersAsConfigured(c) : last);
    if (switching) {
      tunnel(relay);
      return;
    }
    if (!clean) {
      // Not kept alive, or a server that answered before the whole body arrived (it would read
      // what we send next as the rest of that body): this connection is done. Its close is no
      // news to this exchange, which ended well.
      link.drop();
    }
    if (!clientKeepAlive
        || (!requestSent && !(client.channel() instanceof io.netty.channel.socket.DuplexChannel))) {
      // Not kept alive; or an HTTP/2 stream answered before its request ended, whose rest is
      // reset (closing the stream) rather than read and dropped.
      closing = true;
      written.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    nextRequest();
  }

  /** The server switched protocols: from now on both connections carry its bytes as they come. */
  private void tunnel(ServerResponseRelay relay) {
    Channel s = link.handOver();
    request = null;
    log.debug(
        "vip {}: {} switched to {} with {}", vip.label(), clientIp, upgrade, s.remoteAddress());
    HttpTunnel.open(
        client.channel(),
        this,
        s,
        relay,
        vip.config().timeouts(),
        vip.label() + " " + upgrade + " " + clientIp);
  }

  @Override
  public void unasked(Channel c) {
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
  @Override
  public void malformed(Channel c, Throwable cause) {
    settings
        .badResponseLog()
        .warn(
            log,
            "vip {}: real server {} sent a malformed response ({}); closing that connection",
            vip.label(),
            c.remoteAddress(),
            cause.getMessage());
    boolean started = responseStarted;
    link.drop();
    if (started) {
      // What was well-formed goes out, then the end of the connection: never a last chunk.
      vip.counters().countRejected(HttpRejection.RESPONSE_CUT);
      client.flush();
      client.close();
    } else {
      vip.counters().countRejected(HttpRejection.MALFORMED_RESPONSE);
      answer(HttpResponseStatus.BAD_GATEWAY, "the real server's response is malformed", true);
    }
  }
}
