package org.lbctl.cluster.pairing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals pairing messages with AES-256-GCM under a key derived from the token, so only a holder of
 * the token can write a request the peer accepts or read the pair secret inside it, and any change
 * in transit is detected. Each message is bound to its purpose (the associated data), so an answer
 * cannot be replayed as a request or for another request.
 */
final class PairingCipher {
  private static final byte[] CONTEXT = "lbctl pairing v1".getBytes(StandardCharsets.US_ASCII);
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final SecureRandom random;

  PairingCipher(PairingToken token, SecureRandom random) {
    this.random = random;
    try {
      // The token is 130 random bits: one HMAC is enough to turn it into a key.
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(token.bytes(), "HmacSHA256"));
      this.key = new SecretKeySpec(mac.doFinal(CONTEXT), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks HmacSHA256", e);
    }
  }

  byte[] seal(String purpose, byte[] plain) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(plain);
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM lacks AES-GCM", e);
    }
  }

  /**
   * @throws PairingException when the message was sealed under another token, for another purpose,
   *     or changed on the way
   */
  byte[] open(String purpose, byte[] sealed) throws PairingException {
    if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PairingException("a message too short to be sealed");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      c.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new PairingException("the message was not sealed with this token (wrong token?)");
    } catch (GeneralSecurityException e) {
      throw new PairingException("cannot open the message: " + e.getMessage());
    }
  }
}
