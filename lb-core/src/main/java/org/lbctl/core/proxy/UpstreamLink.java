package org.lbctl.core.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.http.ServerCodec;
import org.lbctl.core.service.VirtualServiceRuntime;

/**
 * The real-server connection one client connection's HTTP exchanges use: kept alive while requests
 * go to the same place, parked in the event loop's {@link ServerPool} when they go elsewhere,
 * borrowed from it or connected anew. Lives on the client's event loop; says what happens to the
 * connection through {@link Events}.
 */
final class UpstreamLink {
  /** What the exchange learns of its server connection. */
  interface Events {
    /** The connection made for exchange {@code exchange} is ready; the request may go. */
    void connected(long exchange, Backend backend);

    /** The connect made for exchange {@code exchange} failed. */
    void connectFailed(long exchange, InetSocketAddress target, Backend backend, Throwable cause);

    /** Whether exchange {@code exchange} still waits for a server. */
    boolean waiting(long exchange);

    /** The server closed the connection in use. */
    void closed();
  }

  private final ChannelHandlerContext client;
  private final ProxySettings settings;
  private final Events events;
  private final ServerResponseRelay.Target target;
  private Channel server;
  private ServerPool.Key key;
  // The connection finished its last exchange cleanly and may serve another.
  private boolean idle;
  // The connection in use served an earlier exchange (the server may have closed it meanwhile).
  private boolean reused;

  UpstreamLink(
      ChannelHandlerContext client,
      ProxySettings settings,
      Events events,
      ServerResponseRelay.Target target) {
    this.client = client;
    this.settings = settings;
    this.events = events;
    this.target = target;
  }

  /** The connection in use, or null. */
  Channel channel() {
    return server;
  }

  boolean reused() {
    return reused;
  }

  /** Whether the connection in use goes to {@code k} and is up: the next request may use it. */
  boolean keeps(ServerPool.Key k) {
    if (server != null && server.isActive() && k.equals(key)) {
      reused = true;
      return true;
    }
    return false;
  }

  /** The exchange under way ended cleanly or not: whether the connection may serve another. */
  void idle(boolean clean) {
    idle = clean;
  }

  /**
   * Takes an idle pooled connection to {@code k}, holding {@code backend}'s slot; false when the
   * pool has none.
   */
  boolean borrow(ServerPool.Key k, Backend backend) {
    Channel pooled = ServerPool.borrow(k);
    if (pooled == null) {
      return false;
    }
    key = k;
    adopt(pooled, backend, true);
    reused = true;
    pooled
        .pipeline()
        .replace(ServerResponseRelay.class, "server", new ServerResponseRelay(pooled, target));
    return true;
  }

  /** Opens a new connection to {@code k} for exchange {@code exchange}; {@link Events} answers. */
  void connect(VirtualServiceRuntime vip, ServerPool.Key k, Backend backend, long exchange) {
    key = k;
    reused = false;
    Channel inbound = client.channel();
    // An HTTP exchange ends with a close, not a half-close.
    ChannelFuture f =
        ServerConnections.connect(
            ServerConnections.bootstrap(settings, inbound.eventLoop(), vip)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, false),
            vip,
            k.target(),
            inbound);
    Channel created = f.channel();
    adopt(created, backend, false);
    // One listener for the connection's whole life: it tells whoever uses it then.
    created
        .closeFuture()
        .addListener(
            x -> {
              UpstreamLink owner = created.attr(ServerPool.OWNER).get();
              ServerPool.closed(created);
              if (owner != null) {
                owner.closed(created);
              }
            });
    f.addListener(
        done -> {
          if (!client.executor().inEventLoop()) {
            // A socket that could not even be created (no file descriptors left) fails on
            // Netty's global thread: this link belongs to the client's loop.
            client.executor().execute(() -> connectDone(done, created, exchange, vip, k, backend));
            return;
          }
          connectDone(done, created, exchange, vip, k, backend);
        });
  }

  private void connectDone(
      Future<?> done,
      Channel created,
      long exchange,
      VirtualServiceRuntime vip,
      ServerPool.Key k,
      Backend backend) {
    if (!done.isSuccess() && !created.isRegistered()) {
      // Never registered, so never closed by Netty: give its slot back here.
      ServerPool.closed(created);
    }
    if (created != server || !events.waiting(exchange)) {
      // Given up while it connected (the exchange was answered, the client left, or the request
      // went elsewhere): nobody waits for it, and its failure says nothing.
      if (created == server) {
        server = null;
      }
      created.close();
      return;
    }
    if (!done.isSuccess()) {
      server = null;
      events.connectFailed(exchange, k.target(), backend, done.cause());
      return;
    }
    if (!client.channel().isActive()) {
      server = null;
      created.close();
      return;
    }
    created.attr(ServerPool.OWNER).set(this);
    if (backend != null) {
      RealServerState state = backend.state();
      // Server side: what the server got is its "in", what it answered its "out".
      created.pipeline().addLast(new ByteCounter(state::addBytesOut, state::addBytesIn));
    }
    if (k.tls() instanceof SslContext reencrypt) {
      InetSocketAddress to = k.target();
      created
          .pipeline()
          .addLast(reencrypt.newHandler(created.alloc(), to.getHostString(), to.getPort()));
    }
    created
        .pipeline()
        .addLast(ServerCodec.create())
        .addLast("server", new ServerResponseRelay(created, target));
    events.connected(exchange, backend);
  }

  /**
   * Uses {@code c} now, holding {@code backend}'s slot (taken by the choice). A connection still
   * connecting gets its owner once connected: a failed connect is not a close to report.
   */
  private void adopt(Channel c, Backend backend, boolean connected) {
    server = c;
    c.attr(ServerPool.OWNER).set(connected ? this : null);
    c.attr(ServerPool.SLOT).set(backend == null ? null : backend.state());
  }

  /** Parks the connection in use for another client if it ended cleanly, else closes it. */
  void park() {
    Channel s = server;
    server = null;
    if (s == null) {
      return;
    }
    if (s.isActive() && idle) {
      ServerPool.park(s, key);
    } else {
      s.attr(ServerPool.OWNER).set(null);
      s.close();
    }
  }

  /** Closes the connection in use without telling the exchange: it knows, and has moved on. */
  void drop() {
    Channel s = server;
    server = null;
    if (s != null) {
      s.attr(ServerPool.OWNER).set(null);
      s.close();
    }
  }

  /** Gives the connection in use away for good (a protocol switch makes it a tunnel). */
  Channel handOver() {
    Channel s = server;
    server = null;
    s.attr(ServerPool.OWNER).set(null);
    return s;
  }

  private void closed(Channel c) {
    if (c == server) {
      server = null;
      events.closed();
    }
  }
}
