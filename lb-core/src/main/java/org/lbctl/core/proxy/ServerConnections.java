package org.lbctl.core.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Set;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;

/** What both proxy modes do the same way when they connect to a real server. */
final class ServerConnections {
  private ServerConnections() {}

  /**
   * A connection on the client's own event loop, reading only when asked, under the virtual
   * service's connect timeout.
   */
  static Bootstrap bootstrap(ProxySettings settings, EventLoop loop, VirtualServiceRuntime vip) {
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(settings.transport().socketChannel())
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) vip.config().timeouts().connect().toMillis())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.waterMark())
            .handler(new ChannelInboundHandlerAdapter());
    if (vip.config().transparent()) {
      // Bind the client's address on this socket; TransparentRouting brings the replies back.
      settings.transport().transparent().ifPresent(o -> b.option(o, true));
    }
    return b;
  }

  /**
   * Connects to {@code target}, from the client's own address when the virtual service is
   * transparent.
   */
  static io.netty.channel.ChannelFuture connect(
      Bootstrap b,
      VirtualServiceRuntime vip,
      InetSocketAddress target,
      io.netty.channel.Channel client) {
    if (vip.config().transparent()) {
      InetSocketAddress from = (InetSocketAddress) client.remoteAddress();
      return b.connect(target, new InetSocketAddress(from.getAddress(), 0));
    }
    return b.connect(target);
  }

  /**
   * Counts and logs (throttled) a failed connect; the server is not tried again for this client.
   */
  static void failed(
      ProxySettings settings,
      Logger log,
      VirtualServiceRuntime vip,
      Backend backend,
      InetSocketAddress target,
      Throwable cause,
      Set<RealServerState> tried) {
    backend.state().countFailedConnect();
    tried.add(backend.state());
    String m = cause.getMessage();
    settings
        .connectLog()
        .warn(
            log,
            "vip {}: connect to real server {} ({}) failed: {}; trying the next one",
            vip.label(),
            backend.label(),
            target,
            m == null ? cause.getClass().getSimpleName() : m);
  }
}
