package org.lbctl.core.testing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A reproducible byte stream (xorshift) so both ends of a transfer can check it by digest. */
public final class PatternBytes {
  private long state;

  public PatternBytes(long seed) {
    this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
  }

  public void fill(byte[] buf, int len) {
    for (int i = 0; i < len; i += 8) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      long v = state;
      for (int k = 0; k < 8 && i + k < len; k++) {
        buf[i + k] = (byte) (v >>> (8 * k));
      }
    }
  }

  /** The SHA-256 of the first {@code length} bytes of the stream for {@code seed}. */
  public static String digest(long seed, long length) {
    PatternBytes p = new PatternBytes(seed);
    MessageDigest md = sha256();
    byte[] buf = new byte[64 * 1024];
    for (long left = length; left > 0; ) {
      int n = (int) Math.min(buf.length, left);
      p.fill(buf, n);
      md.update(buf, 0, n);
      left -= n;
    }
    return HexFormat.of().formatHex(md.digest());
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
