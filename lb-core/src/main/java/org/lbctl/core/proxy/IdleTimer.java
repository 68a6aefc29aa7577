package org.lbctl.core.proxy;

import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a relayed connection that moved no byte in either direction for its idle timeout.
 *
 * <p>In a byte relay every byte read on one side is written to the other, so the client side and
 * the server side go quiet together: one timestamp, touched on each read, serves both, and one
 * scheduled check per timeout replaces per-write bookkeeping. The timeout is the shorter of the
 * virtual service's client and server timeouts. Both channels share one event loop, so the fields
 * need no synchronisation.
 */
final class IdleTimer {
  private static final Logger log = LoggerFactory.getLogger(IdleTimer.class);

  private final Channel inbound;
  private final Channel outbound;
  private final long timeoutNanos;
  private final String description;
  private long lastIo;
  private ScheduledFuture<?> check;

  IdleTimer(Channel inbound, Channel outbound, long timeoutNanos, String description) {
    this.inbound = inbound;
    this.outbound = outbound;
    this.timeoutNanos = timeoutNanos;
    this.description = description;
  }

  void start() {
    lastIo = System.nanoTime();
    schedule(timeoutNanos);
    inbound.closeFuture().addListener(f -> cancel());
    outbound.closeFuture().addListener(f -> cancel());
  }

  void touch() {
    lastIo = System.nanoTime();
  }

  private void schedule(long delayNanos) {
    check = inbound.eventLoop().schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void expire() {
    if (!inbound.isOpen() && !outbound.isOpen()) {
      return;
    }
    long idle = System.nanoTime() - lastIo;
    if (idle < timeoutNanos) {
      schedule(timeoutNanos - idle);
      return;
    }
    // The client's address is looked up only here: a connection that never idles out never
    // pays for the text.
    log.info(
        "{} client {}: no traffic for {} s, closing the connection",
        description,
        inbound.remoteAddress(),
        idle / 1_000_000_000);
    inbound.close();
    outbound.close();
  }

  private void cancel() {
    if (check != null) {
      check.cancel(false);
    }
  }
}
