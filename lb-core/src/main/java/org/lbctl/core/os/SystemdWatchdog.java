package org.lbctl.core.os;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds systemd's watchdog ({@code WatchdogSec=} in the unit): {@code WATCHDOG=1} at a quarter of
 * the interval systemd gives in {@code $WATCHDOG_USEC}, sent only by a node that has proved it is
 * alive, so systemd kills and restarts a wedged one. Nothing when the unit sets no watchdog.
 */
public final class SystemdWatchdog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SystemdWatchdog.class);

  private final Optional<Duration> interval;
  private final String socket;
  private EventLoopGroup group;
  private Channel channel;
  private long lastSent = Long.MIN_VALUE;

  private SystemdWatchdog(Optional<Duration> interval, String socket) {
    this.interval = interval;
    this.socket = socket;
  }

  /** The watchdog systemd asks this process to feed, if any. */
  public static SystemdWatchdog fromEnvironment() {
    String usec = System.getenv("WATCHDOG_USEC");
    String pid = System.getenv("WATCHDOG_PID");
    String socket = System.getenv("NOTIFY_SOCKET");
    if (usec == null || socket == null || socket.isEmpty()) {
      return new SystemdWatchdog(Optional.empty(), "");
    }
    if (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
      return new SystemdWatchdog(Optional.empty(), "");
    }
    try {
      long micros = Long.parseLong(usec.strip());
      return new SystemdWatchdog(
          micros > 0 ? Optional.of(Duration.ofNanos(micros * 1000)) : Optional.empty(), socket);
    } catch (NumberFormatException e) {
      log.warn("WATCHDOG_USEC={} is not a number; not feeding systemd's watchdog", usec);
      return new SystemdWatchdog(Optional.empty(), "");
    }
  }

  /** The unit's {@code WatchdogSec=}, when it set one. */
  public Optional<Duration> interval() {
    return interval;
  }

  /** This node is alive now: tell systemd, at most four times per watchdog interval. */
  public synchronized void alive() {
    if (interval.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    if (lastSent != Long.MIN_VALUE && now - lastSent < interval.get().toNanos() / 4) {
      return;
    }
    lastSent = now;
    try {
      if (channel == null || !channel.isActive()) {
        open();
      }
      channel.writeAndFlush(Unpooled.copiedBuffer("WATCHDOG=1", StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      log.warn("cannot feed systemd's watchdog at {}: {}", socket, e.toString());
    }
  }

  private void open() {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("no epoll: " + Epoll.unavailabilityCause());
    }
    if (group == null) {
      group = SystemdNotify.group("lb-watchdog");
    }
    channel = SystemdNotify.connect(group, socket);
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      channel.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
