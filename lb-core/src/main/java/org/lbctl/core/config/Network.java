package org.lbctl.core.config;

import java.net.InetAddress;
import java.util.Optional;

/** An IP network in CIDR form ({@code 10.20.0.0/16}; an address alone is its own /32 or /128). */
public record Network(InetAddress address, int prefix) {
  /** The network {@code text} names, or empty when it names none. */
  public static Optional<Network> parse(String text) {
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    InetAddress a;
    try {
      a = IpLiterals.parse(host);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int bits = a.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (!p.matches("[0-9]{1,3}")) {
        return Optional.empty();
      }
      prefix = Integer.parseInt(p);
      if (prefix > bits) {
        return Optional.empty();
      }
    }
    return Optional.of(new Network(a, prefix));
  }

  public boolean contains(InetAddress other) {
    byte[] net = address.getAddress();
    byte[] o = other.getAddress();
    if (net.length == 4 && o.length == 16 && isV4Mapped(o)) {
      o = java.util.Arrays.copyOfRange(o, 12, 16);
    }
    if (net.length != o.length) {
      return false;
    }
    for (int i = 0; i < net.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      int mask = (0xff << (8 - keep)) & 0xff;
      if ((net[i] & mask) != (o[i] & mask)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }
}
