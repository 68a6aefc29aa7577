package org.lbctl.core.balancer;

import java.net.InetAddress;
import java.util.List;
import java.util.function.Predicate;

/**
 * A balance mode. One instance serves one configuration version of one virtual service; it is
 * called from many event loops at once, so implementations are lock-free over the immutable backend
 * list they are given.
 */
public interface Scheduler {
  /**
   * Chooses a backend for a client.
   *
   * @param usable which backends may take this connection now (available, with capacity, not yet
   *     tried for it)
   * @return the chosen backend, or {@code null} when none is usable
   */
  Backend select(List<Backend> backends, InetAddress client, Predicate<Backend> usable);
}
