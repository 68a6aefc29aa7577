package org.lbctl.core.proxy;

import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.Locale;
import java.util.Optional;
import org.lbctl.core.config.TransportChoice;

/**
 * The Netty transport of the data plane: epoll on Linux, NIO elsewhere, io_uring or NIO when the
 * node's settings ask.
 */
public enum Transport {
  EPOLL,
  IO_URING,
  NIO;

  /** {@code -Dlbctl.transport=nio} forces NIO (tests run over both). */
  public static Transport detect() {
    String forced = System.getProperty("lbctl.transport", "");
    if (!forced.isEmpty()) {
      return valueOf(forced.toUpperCase(Locale.ROOT));
    }
    return Epoll.isAvailable() ? EPOLL : NIO;
  }

  /**
   * The transport the node's settings ask for.
   *
   * @throws IllegalStateException if that transport cannot run on this kernel, naming why
   */
  public static Transport of(TransportChoice choice) {
    Transport t =
        switch (choice) {
          case AUTO -> detect();
          case EPOLL -> EPOLL;
          case IO_URING -> IO_URING;
          case NIO -> NIO;
        };
    Throwable cause =
        switch (t) {
          case EPOLL -> Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
          case IO_URING -> IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
          case NIO -> null;
        };
    if (cause != null) {
      throw new IllegalStateException(
          "transport " + choice.label() + " is not available here: " + cause.getMessage(), cause);
    }
    return t;
  }

  /**
   * Lets a listener bind an address the host does not hold yet (a floating VIP); empty where the
   * transport cannot set it.
   */
  public Optional<ChannelOption<Boolean>> freeBind() {
    return switch (this) {
      case EPOLL -> Optional.of(EpollChannelOption.IP_FREEBIND);
      case IO_URING -> Optional.of(IoUringChannelOption.IP_FREEBIND);
      case NIO -> Optional.empty();
    };
  }

  /**
   * Lets a server connection bind the client's address (transparent proxy); empty where the
   * transport cannot set it.
   */
  public Optional<ChannelOption<Boolean>> transparent() {
    return switch (this) {
      case EPOLL -> Optional.of(EpollChannelOption.IP_TRANSPARENT);
      case IO_URING -> Optional.of(IoUringChannelOption.IP_TRANSPARENT);
      case NIO -> Optional.empty();
    };
  }

  public IoHandlerFactory ioHandlerFactory() {
    return switch (this) {
      case EPOLL -> EpollIoHandler.newFactory();
      case IO_URING -> IoUringIoHandler.newFactory();
      case NIO -> NioIoHandler.newFactory();
    };
  }

  public Class<? extends ServerChannel> serverChannel() {
    return switch (this) {
      case EPOLL -> EpollServerSocketChannel.class;
      case IO_URING -> IoUringServerSocketChannel.class;
      case NIO -> NioServerSocketChannel.class;
    };
  }

  public Class<? extends SocketChannel> socketChannel() {
    return switch (this) {
      case EPOLL -> EpollSocketChannel.class;
      case IO_URING -> IoUringSocketChannel.class;
      case NIO -> NioSocketChannel.class;
    };
  }
}
