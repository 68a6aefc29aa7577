package org.lbctl.core.service;

import java.net.InetSocketAddress;
import org.lbctl.core.balancer.Backend;

/**
 * What to do with a new client connection.
 *
 * @param backend the real server whose connection slot was taken ({@link Kind#SERVER} only)
 * @param target where to connect ({@link Kind#SERVER} and {@link Kind#FALLBACK})
 */
public record Choice(Kind kind, Backend backend, InetSocketAddress target) {
  public enum Kind {
    /** Connect to a real server; its slot is already counted. */
    SERVER,
    /** No real server can take it: connect to the fallback server. */
    FALLBACK,
    /** Available servers are all at their maximum: wait and ask again. */
    QUEUE,
    /** Nowhere to go: close the client connection. */
    REFUSE
  }

  static final Choice QUEUE = new Choice(Kind.QUEUE, null, null);
  static final Choice REFUSE = new Choice(Kind.REFUSE, null, null);
}
