package org.lbctl.core.health;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * One real server as a check sees it.
 *
 * @param ports the ports to check: one, or every port of a multi-port VIP for {@code all-ports}
 * @param timeout the whole check, every port included, must finish within this
 * @param vipAddress the virtual service's address, for external scripts
 * @param vipPort the virtual service's first port, for external scripts
 */
public record CheckTarget(
    String virtualService,
    String server,
    InetAddress address,
    List<Integer> ports,
    Duration timeout,
    String vipAddress,
    int vipPort) {
  public CheckTarget {
    ports = List.copyOf(ports);
  }

  /** A target checked on its own, not as part of a virtual service (tests, tools). */
  public CheckTarget(
      String virtualService,
      String server,
      InetAddress address,
      List<Integer> ports,
      Duration timeout) {
    this(virtualService, server, address, ports, timeout, "", 0);
  }
}
