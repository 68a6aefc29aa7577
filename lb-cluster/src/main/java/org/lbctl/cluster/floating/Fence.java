package org.lbctl.cluster.floating;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.lbctl.core.config.FloatingIp;

/**
 * Decides in the kernel whether this node answers for its floating addresses: only while a lease is
 * renewed. A frozen JVM renews nothing, so its kernel goes silent for those addresses (ARP, IPv6
 * neighbour advertisements, incoming traffic) once the lease lapses, with no process running.
 */
public interface Fence extends AutoCloseable {
  /**
   * Declares the addresses the fence guards. They stay silent until the next {@link #renew}; a
   * lease already running for an address that stays is kept.
   */
  void guard(List<FloatingIp> ips) throws IOException;

  /** Lets {@code ips} answer for one more lease. */
  void renew(List<FloatingIp> ips) throws IOException;

  /** Silences every guarded address now, without waiting for the lease to lapse. */
  void shut() throws IOException;

  /** How long one renewal lasts; the peer waits this long before it takes over from silence. */
  Duration lease();

  /** Whether the node is fenced at all ({@code fencing: off} is not). */
  boolean enabled();

  /** Removes the fence from the kernel: the addresses answer whoever renews. */
  @Override
  void close();

  /** No fence: what {@code fencing: off} runs on, and tests that hold no addresses. */
  Fence NONE =
      new Fence() {
        @Override
        public void guard(List<FloatingIp> ips) {}

        @Override
        public void renew(List<FloatingIp> ips) {}

        @Override
        public void shut() {}

        @Override
        public Duration lease() {
          return Duration.ZERO;
        }

        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void close() {}
      };
}
