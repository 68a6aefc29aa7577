package org.lbctl.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.config.Timeouts;
import org.lbctl.core.service.Choice;
import org.lbctl.core.service.Pool;
import org.lbctl.core.service.ServiceCounters;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts one client connection and finds it a server: asks the virtual service for a choice,
 * connects on the client's own event loop, tries the next real server when a connect fails, waits
 * in a bounded queue while every server is full, and falls back or closes when nothing is left.
 * Once connected it hands both channels to {@link RelayHandler}s and steps aside.
 */
final class TcpFrontendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TcpFrontendHandler.class);
  static final int QUEUE_LIMIT = 1024;
  private static final long QUEUE_POLL_MILLIS = 5;

  private final VipListener listener;
  private final ProxySettings settings;
  private final Set<RealServerState> tried = new HashSet<>();
  private VirtualServiceRuntime vip;
  private Channel outbound;
  private long queueDeadline;
  private boolean queued;
  private boolean handedOver;

  private final java.util.function.BiFunction<String, String, io.netty.handler.ssl.SslContext>
      reencryption;
  private final Admission admission;

  /**
   * What a protocol gate in front (DICOM's) already decided for a connection it counted: the
   * version of the service it read, the pool, and the bytes it read, which go to the server first;
   * {@code refusal} answers the client in its protocol, and closes, when no server can take it.
   */
  record Admission(
      VirtualServiceRuntime vip,
      Pool pool,
      ByteBuf first,
      ServerSide serverSide,
      java.util.function.Consumer<Channel> refusal) {}

  /**
   * What the gate does once a server is connected (the fallback server included, backend null),
   * before the first bytes go: rewrite them, watch the server's answer.
   */
  interface ServerSide {
    void connected(Backend backend, ByteBuf first, Channel server);
  }

  /**
   * @param reencryption the TLS client context for a (virtual service, real server), or null for
   *     plain TCP to that server
   */
  TcpFrontendHandler(
      VipListener listener,
      ProxySettings settings,
      java.util.function.BiFunction<String, String, io.netty.handler.ssl.SslContext> reencryption) {
    this(listener, settings, reencryption, null);
  }

  /** A frontend that takes over from a gate: it routes as soon as it is added. */
  TcpFrontendHandler(
      VipListener listener,
      ProxySettings settings,
      java.util.function.BiFunction<String, String, io.netty.handler.ssl.SslContext> reencryption,
      Admission admission) {
    this.listener = listener;
    this.settings = settings;
    this.reencryption = reencryption;
    this.admission = admission;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    vip = listener.runtime();
    vip.counters().track(ctx.channel());
    route(ctx);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (admission != null) {
      vip = admission.vip();
      route(ctx);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    // Replaced by the relay once connected (the bytes went out by then), or the client left.
    if (admission != null && !handedOver) {
      admission.first().release();
    }
  }

  private Pool pool() {
    return admission == null ? Pool.ALL : admission.pool();
  }

  private void route(ChannelHandlerContext ctx) {
    Channel inbound = ctx.channel();
    if (!inbound.isActive()) {
      leaveQueue();
      return;
    }
    InetSocketAddress client = (InetSocketAddress) inbound.remoteAddress();
    Choice choice = vip.choose(client.getAddress(), listener.port(), tried, pool());
    switch (choice.kind()) {
      case SERVER -> {
        leaveQueue();
        connect(ctx, choice.target(), choice.backend());
      }
      case QUEUE -> waitForCapacity(ctx);
      case FALLBACK -> {
        leaveQueue();
        useFallback(ctx, choice.target());
      }
      case REFUSE -> {
        leaveQueue();
        refuse(ctx, "no real server can take it and the fallback server is disabled");
      }
    }
  }

  private void waitForCapacity(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    if (!queued) {
      if (!vip.counters().tryQueue(QUEUE_LIMIT)) {
        overflow(ctx, "the queue is full (" + QUEUE_LIMIT + " waiting)");
        return;
      }
      queued = true;
      queueDeadline = now + vip.config().timeouts().queue().toNanos();
    }
    if (now - queueDeadline >= 0) {
      leaveQueue();
      overflow(ctx, "every real server stayed at its maximum connections for the queue timeout");
      return;
    }
    ctx.executor().schedule(() -> route(ctx), QUEUE_POLL_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void overflow(ChannelHandlerContext ctx, String reason) {
    Choice fallback = vip.fallback(listener.port());
    if (fallback.kind() == Choice.Kind.FALLBACK) {
      useFallback(ctx, fallback.target());
    } else {
      refuse(ctx, reason);
    }
  }

  private void leaveQueue() {
    if (queued) {
      queued = false;
      vip.counters().dequeue();
    }
  }

  private void useFallback(ChannelHandlerContext ctx, InetSocketAddress target) {
    vip.counters().countFallback();
    settings
        .fallbackLog()
        .warn(
            log,
            "vip {}: no real server available, sending {} to fallback {}",
            vip.label(),
            ctx.channel().remoteAddress(),
            target);
    connect(ctx, target, null);
  }

  private void refuse(ChannelHandlerContext ctx, String reason) {
    vip.counters().countRefused();
    settings
        .refuseLog()
        .warn(
            log,
            "vip {}: closing client {}: {}",
            vip.label(),
            ctx.channel().remoteAddress(),
            reason);
    if (admission != null) {
      admission.refusal().accept(ctx.channel());
    } else {
      ctx.close();
    }
  }

  /** Connects to a real server ({@code backend} non-null, slot already taken) or the fallback. */
  private void connect(ChannelHandlerContext ctx, InetSocketAddress target, Backend backend) {
    Channel inbound = ctx.channel();
    ChannelFuture f =
        ServerConnections.connect(
            ServerConnections.bootstrap(settings, inbound.eventLoop(), vip), vip, target, inbound);
    outbound = f.channel();
    if (backend != null) {
      RealServerState state = backend.state();
      outbound.closeFuture().addListener(x -> state.release());
    }
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            connected(ctx, backend);
          } else {
            connectFailed(ctx, target, backend, done.cause());
          }
        });
  }

  private void connected(ChannelHandlerContext ctx, Backend backend) {
    Channel inbound = ctx.channel();
    if (!inbound.isActive()) {
      outbound.close();
      return;
    }
    if (backend != null) {
      vip.connected(((InetSocketAddress) inbound.remoteAddress()).getAddress(), backend, pool());
    }
    String name = vip.label() + "/" + (backend == null ? "fallback" : backend.label());
    io.netty.handler.ssl.SslContext reencrypt =
        backend == null ? null : reencryption.apply(vip.label(), backend.label());
    if (reencrypt != null) {
      // Writes wait in the TLS handler until its handshake is done; one that fails (a server
      // the CA family does not sign) closes both sides, with the reason in the log.
      InetSocketAddress server = (InetSocketAddress) outbound.remoteAddress();
      outbound
          .pipeline()
          .addLast(
              "tls",
              reencrypt.newHandler(outbound.alloc(), server.getHostString(), server.getPort()))
          .addLast("handshake", new TlsHandshakeLog(vip.label() + " re-encryption"));
    }
    ServiceCounters counters = vip.counters();
    // From here the first bytes are the relay's to send, not this handler's to drop.
    handedOver = true;
    Timeouts timeouts = vip.config().timeouts();
    IdleTimer idle =
        new IdleTimer(
            inbound,
            outbound,
            Math.min(timeouts.client().toNanos(), timeouts.server().toNanos()),
            name);
    RealServerState state = backend == null ? null : backend.state();
    outbound
        .pipeline()
        .addLast(
            "relay",
            new RelayHandler(
                inbound,
                n -> {
                  counters.addBytesOut(n);
                  if (state != null) {
                    state.addBytesOut(n);
                  }
                },
                idle,
                name));
    inbound
        .pipeline()
        .replace(
            this,
            "relay",
            new RelayHandler(
                outbound,
                n -> {
                  counters.addBytesIn(n);
                  if (state != null) {
                    state.addBytesIn(n);
                  }
                },
                idle,
                name));
    inbound.pipeline().remove("wait");
    idle.start();
    if (admission != null) {
      admission.serverSide().connected(backend, admission.first(), outbound);
      outbound.writeAndFlush(admission.first());
    }
    inbound.config().setAutoRead(true);
    outbound.config().setAutoRead(true);
  }

  private void connectFailed(
      ChannelHandlerContext ctx, InetSocketAddress target, Backend backend, Throwable cause) {
    outbound = null;
    if (backend == null) {
      refuse(ctx, "fallback server " + target + " failed: " + reason(cause));
      return;
    }
    ServerConnections.failed(settings, log, vip, backend, target, cause, tried);
    route(ctx);
  }

  private static String reason(Throwable cause) {
    String m = cause.getMessage();
    return m == null ? cause.getClass().getSimpleName() : m;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    leaveQueue();
    if (outbound != null) {
      outbound.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // An idle timeout or a half-close before a server was found ends the attempt.
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("vip {}: client {}: {}", listener.address(), ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
