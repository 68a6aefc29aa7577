package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import io.netty.util.NetUtil;
import java.util.Optional;

/**
 * An address that moves with the active node, written {@code 10.99.1.1/24}. Virtual service
 * addresses float as /32 (/128); extra floating IPs, such as the real servers' default gateway in
 * NAT mode, carry the prefix of their subnet.
 */
public record FloatingIp(String address, int prefix) {
  public FloatingIp {
    requireNonNull(address, "address");
  }

  public boolean isIpv6() {
    return address.contains(":");
  }

  /**
   * Whether a virtual service on {@code address} moves between nodes: wildcard and loopback
   * addresses never float (they serve on every node), nor does text that is no address.
   */
  public static boolean floats(String address) {
    try {
      java.net.InetAddress a = IpLiterals.parse(address);
      return !a.isAnyLocalAddress() && !a.isLoopbackAddress();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** {@code 10.99.1.1/24}, the form {@code ip addr} takes. */
  public String cidr() {
    return address + "/" + prefix;
  }

  /** Parses {@code address/prefix}; an address alone is a host route (/32 or /128). */
  public static Optional<FloatingIp> parse(String text) {
    String[] parts = text.split("/", -1);
    if (parts.length > 2) {
      return Optional.empty();
    }
    String addr = parts[0];
    boolean v4 = NetUtil.isValidIpV4Address(addr);
    if (!v4 && !NetUtil.isValidIpV6Address(addr)) {
      return Optional.empty();
    }
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (parts.length == 2) {
      try {
        prefix = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (prefix < 1 || prefix > max) {
        return Optional.empty();
      }
    }
    return Optional.of(new FloatingIp(addr, prefix));
  }

  @Override
  public String toString() {
    return cidr();
  }
}
