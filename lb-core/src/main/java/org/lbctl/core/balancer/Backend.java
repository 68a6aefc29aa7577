package org.lbctl.core.balancer;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import org.lbctl.core.config.RealServer;

/**
 * A real server as one configuration version sees it: its settings, its address parsed once, and
 * its shared state.
 */
public record Backend(RealServer config, InetAddress address, RealServerState state) {
  public Backend {
    requireNonNull(config, "config");
    requireNonNull(address, "address");
    requireNonNull(state, "state");
  }

  public String label() {
    return config.label();
  }

  public int weight() {
    return config.weight();
  }

  /** Online, healthy and weighted: may receive new connections when it has capacity. */
  public boolean available() {
    return state.adminState() == AdminState.ONLINE && state.healthy() && config.weight() > 0;
  }

  /**
   * May receive a client that sticks to it: online or draining (drain stops new clients only), and
   * healthy. Halted or down, its persistent clients are balanced elsewhere.
   */
  public boolean takesPersistentClients() {
    return state.adminState() != AdminState.HALT && state.healthy();
  }

  public boolean hasCapacity() {
    return state.hasCapacity(config.minConnections(), config.maxConnections());
  }

  public boolean tryAcquire() {
    return state.tryAcquire(config.minConnections(), config.maxConnections());
  }
}
