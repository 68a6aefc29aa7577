package org.lbctl.core.os;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the node is doing ({@code Type=notify}): {@code READY=1} once it serves and
 * takes management calls, {@code STOPPING=1} when it begins to stop. A datagram to {@code
 * $NOTIFY_SOCKET}; nothing when the variable is unset (not under systemd). The JDK has no Unix
 * datagram sockets, hence Netty's.
 */
public final class SystemdNotify {
  private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

  private SystemdNotify() {}

  public static void ready(String status) {
    send("READY=1\nSTATUS=" + status + "\nMAINPID=" + ProcessHandle.current().pid());
  }

  public static void stopping() {
    send("STOPPING=1");
  }

  /** One event loop for a notify socket. */
  static EventLoopGroup group(String name) {
    return new MultiThreadIoEventLoopGroup(
        1, new DefaultThreadFactory(name, true), EpollIoHandler.newFactory());
  }

  /** A datagram channel connected to systemd's notify socket. */
  static Channel connect(EventLoopGroup group, String socket) {
    // An abstract socket is written with a leading @ and addressed with a leading NUL.
    String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
    return new Bootstrap()
        .group(group)
        .channel(EpollDomainDatagramChannel.class)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(new DomainSocketAddress(path))
        .syncUninterruptibly()
        .channel();
  }

  /** Sends one state message; failures are logged, never thrown (systemd's timeout will tell). */
  static void send(String state) {
    String socket = System.getenv("NOTIFY_SOCKET");
    if (socket == null || socket.isEmpty()) {
      return;
    }
    if (!Epoll.isAvailable()) {
      log.warn("cannot tell systemd '{}': no epoll ({})", state, Epoll.unavailabilityCause());
      return;
    }
    EventLoopGroup group = group("lb-notify");
    try {
      Channel ch = connect(group, socket);
      ch.writeAndFlush(Unpooled.copiedBuffer(state, StandardCharsets.UTF_8)).sync();
      ch.close().sync();
      log.debug("told systemd: {}", state.replace('\n', ' '));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn(
          "cannot tell systemd '{}' at {}: {}", state.replace('\n', ' '), socket, e.toString());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
