package org.lbctl.cluster.pairing;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

/**
 * The one-time secret a lone node prints when it offers to be paired; the operator types it on the
 * primary. 26 characters from an alphabet without look-alikes (no l/1, o/0): 130 random bits, shown
 * in groups of five.
 */
public record PairingToken(String text) {
  static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
  static final int LENGTH = 26;

  public PairingToken {
    if (text.length() != LENGTH || !text.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
      throw new IllegalArgumentException("not a pairing token");
    }
  }

  public static PairingToken generate(SecureRandom random) {
    StringBuilder b = new StringBuilder(LENGTH);
    for (int i = 0; i < LENGTH; i++) {
      b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return new PairingToken(b.toString());
  }

  /** As typed: dashes, spaces and case do not matter. Empty when it cannot be a token. */
  public static Optional<PairingToken> parse(String typed) {
    String t = typed.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
    if (t.length() != LENGTH || !t.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
      return Optional.empty();
    }
    return Optional.of(new PairingToken(t));
  }

  /** Groups of five joined by dashes, for a human to read and type. */
  public String display() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length(); i += 5) {
      if (i > 0) {
        b.append('-');
      }
      b.append(text, i, Math.min(text.length(), i + 5));
    }
    return b.toString();
  }

  byte[] bytes() {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Never the token itself: records end up in logs. */
  @Override
  public String toString() {
    return "PairingToken[" + text.substring(0, 2) + "…]";
  }
}
