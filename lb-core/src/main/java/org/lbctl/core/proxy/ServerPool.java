package org.lbctl.core.proxy;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.lbctl.core.balancer.RealServerState;

/**
 * Idle kept-alive connections to real servers in HTTP mode, per event loop (a client's exchanges
 * and its server connections share one loop, so the pool needs no lock), by target and TLS context.
 * A client whose next request goes to another server parks its connection here and borrows one to
 * the new target: with round robin, every request would otherwise open a new connection. A parked
 * connection holds no connection slot of its server.
 */
final class ServerPool {
  /** At most this many idle connections per target and loop; more are closed. */
  static final int MAX_IDLE = 64;

  /** The link using a server connection now; null while it is parked. */
  static final AttributeKey<UpstreamLink> OWNER = AttributeKey.valueOf("lbctl.owner");

  /** The server's connection slot this connection holds for its owner; null while parked. */
  static final AttributeKey<RealServerState> SLOT = AttributeKey.valueOf("lbctl.slot");

  private static final AttributeKey<Key> KEY = AttributeKey.valueOf("lbctl.poolKey");

  private static final FastThreadLocal<Map<Key, ArrayDeque<Channel>>> IDLE =
      new FastThreadLocal<>() {
        @Override
        protected Map<Key, ArrayDeque<Channel>> initialValue() {
          return new HashMap<>();
        }
      };

  private ServerPool() {}

  /**
   * Where a pooled connection goes: the target and the TLS client context (by identity: a replaced
   * context makes new connections). Built per request, so no strings.
   */
  record Key(InetSocketAddress target, Object tls) {}

  /** A live idle connection to {@code key}, or null. Call on the connection's event loop. */
  static Channel borrow(Key key) {
    ArrayDeque<Channel> idle = IDLE.get().get(key);
    while (idle != null && !idle.isEmpty()) {
      Channel c = idle.pollLast();
      if (c.isActive()) {
        return c;
      }
    }
    return null;
  }

  /** Gives the slot back and parks the connection, or closes it when the pool is full. */
  static void park(Channel c, Key key) {
    release(c);
    c.attr(OWNER).set(null);
    ArrayDeque<Channel> idle = IDLE.get().computeIfAbsent(key, k -> new ArrayDeque<>());
    if (!c.isActive() || idle.size() >= MAX_IDLE) {
      c.close();
      return;
    }
    c.attr(KEY).set(key);
    idle.addLast(c);
  }

  /** Forgets a connection that closed (whether parked or not). */
  static void closed(Channel c) {
    release(c);
    Key key = c.attr(KEY).get();
    if (key != null) {
      ArrayDeque<Channel> idle = IDLE.get().get(key);
      if (idle != null) {
        idle.remove(c);
      }
    }
  }

  /** Gives back the slot the connection holds, if any. */
  static void release(Channel c) {
    RealServerState slot = c.attr(SLOT).getAndSet(null);
    if (slot != null) {
      slot.release();
    }
  }
}
