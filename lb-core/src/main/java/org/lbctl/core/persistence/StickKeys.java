package org.lbctl.core.persistence;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The keys persistence modes stick by. */
public final class StickKeys {
  /** The one key of a last-successful virtual service: the whole service sticks. */
  public static final String LAST_SUCCESSFUL = "*";

  private StickKeys() {}

  /**
   * A client's address with the host bits beyond {@code prefix} cleared, so that clients of one
   * subnet (behind one NAT pool, say) share an entry; the prefix applies to IPv4 as given and is
   * capped at the address length.
   */
  public static String sourceIp(InetAddress client, int prefix) {
    byte[] a = client.getAddress();
    int bits = Math.min(prefix, a.length * 8);
    if (bits == a.length * 8) {
      return client.getHostAddress();
    }
    for (int i = 0; i < a.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      a[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(a).getHostAddress() + "/" + bits;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
