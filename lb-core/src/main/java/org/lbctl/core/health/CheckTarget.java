package org.lbctl.core.health;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * One real server as a check sees it.
 *
 * @param ports the ports to check: one, or every port of a multi-port VIP for {@code all-ports}
 * @param timeout the whole check, every port included, must finish within this
 */
public record CheckTarget(
    String virtualService,
    String server,
    InetAddress address,
    List<Integer> ports,
    Duration timeout) {
  public CheckTarget {
    ports = List.copyOf(ports);
  }
}
