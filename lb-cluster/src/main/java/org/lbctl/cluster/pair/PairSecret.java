package org.lbctl.cluster.pair;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret both nodes of a pair share. It becomes the AES key that encrypts and authenticates the
 * pair channel: a node with another secret can neither join nor be heard.
 */
public final class PairSecret {
  /** Enough for a random secret written as text (e.g. 32 hex digits). */
  public static final int MIN_LENGTH = 16;

  // Both nodes must derive the same key from the same secret, so the salt is fixed; the secret
  // itself is random, which is what protects the key.
  private static final byte[] SALT = "lbctl pair channel v1".getBytes(StandardCharsets.US_ASCII);
  private static final int ITERATIONS = 100_000;

  private PairSecret() {}

  /**
   * Reads the secret file and derives the key.
   *
   * @throws IOException naming the file and what is wrong with it
   */
  public static SecretKey load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("pair secret " + file + " does not exist");
    }
    java.util.Optional<String> mode = org.lbctl.core.os.SecretFiles.problem(file);
    if (mode.isPresent()) {
      throw new IOException("pair secret " + mode.get());
    }
    String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (secret.length() < MIN_LENGTH) {
      throw new IOException(
          "pair secret "
              + file
              + " has "
              + secret.length()
              + " characters (expected at least "
              + MIN_LENGTH
              + ")");
    }
    return derive(secret);
  }

  static SecretKey derive(String secret) {
    try {
      PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), SALT, ITERATIONS, 128);
      byte[] key =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return new SecretKeySpec(key, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot derive AES keys", e);
    }
  }
}
