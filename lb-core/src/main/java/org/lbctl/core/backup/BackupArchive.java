package org.lbctl.core.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A node's files sealed under a passphrase: AES-256-GCM with a key from PBKDF2-HMAC-SHA256 (600,000
 * iterations, a fresh salt), the header authenticated with the contents, so a wrong passphrase and
 * a changed byte are both refused before anything is read.
 *
 * <pre>LBCTL-BACKUP-1\n | salt (16) | iterations (4) | nonce (12) | ciphertext and tag</pre>
 */
public final class BackupArchive {
  private static final byte[] MAGIC = "LBCTL-BACKUP-1\n".getBytes(StandardCharsets.US_ASCII);
  private static final int ITERATIONS = 600_000;
  private static final int MIN_PASSPHRASE = 12;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A file as kept: its bytes and its POSIX permissions ({@code rw-------}). */
  public record Entry(byte[] bytes, String permissions) {}

  private BackupArchive() {}

  /**
   * @throws IllegalArgumentException for a passphrase under 12 characters
   */
  public static byte[] seal(Map<Path, Entry> files, char[] passphrase) throws IOException {
    if (passphrase.length < MIN_PASSPHRASE) {
      throw new IllegalArgumentException(
          "passphrase: at least " + MIN_PASSPHRASE + " characters (it protects private keys)");
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("files");
    files.forEach(
        (path, e) ->
            list.addObject()
                .put("path", path.toString())
                .put("permissions", e.permissions())
                .put("bytes", Base64.getEncoder().encodeToString(e.bytes())));
    byte[] plain = JSON.writeValueAsBytes(root);
    byte[] salt = random(16);
    byte[] nonce = random(12);
    ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 16 + 4 + 12);
    header.put(MAGIC).put(salt).putInt(ITERATIONS).put(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE, key(passphrase, salt, ITERATIONS), new GCMParameterSpec(128, nonce));
      c.updateAAD(header.array());
      byte[] sealed = c.doFinal(plain);
      Arrays.fill(plain, (byte) 0);
      return ByteBuffer.allocate(header.capacity() + sealed.length)
          .put(header.array())
          .put(sealed)
          .array();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot encrypt the backup: " + e.getMessage(), e);
    }
  }

  /**
   * @throws BackupException naming why not: not a backup, or a wrong passphrase or changed bytes
   */
  public static Map<Path, Entry> open(byte[] archive, char[] passphrase) throws BackupException {
    int headerLength = MAGIC.length + 16 + 4 + 12;
    if (archive.length < headerLength + 16
        || !Arrays.equals(Arrays.copyOf(archive, MAGIC.length), MAGIC)) {
      throw new BackupException("not an lbctl backup (it does not start with LBCTL-BACKUP-1)");
    }
    ByteBuffer in = ByteBuffer.wrap(archive);
    in.position(MAGIC.length);
    byte[] salt = new byte[16];
    in.get(salt);
    int iterations = in.getInt();
    byte[] nonce = new byte[12];
    in.get(nonce);
    if (iterations < 100_000 || iterations > 10_000_000) {
      throw new BackupException("not an lbctl backup (iterations " + iterations + ")");
    }
    byte[] plain;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE, key(passphrase, salt, iterations), new GCMParameterSpec(128, nonce));
      c.updateAAD(archive, 0, headerLength);
      plain = c.doFinal(archive, headerLength, archive.length - headerLength);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new BackupException("wrong passphrase, or the backup was changed since it was made");
    } catch (GeneralSecurityException e) {
      throw new BackupException("cannot decrypt the backup: " + e.getMessage());
    }
    try {
      Map<Path, Entry> files = new LinkedHashMap<>();
      for (JsonNode f : JSON.readTree(plain).path("files")) {
        files.put(
            Path.of(f.path("path").asText()),
            new Entry(
                Base64.getDecoder().decode(f.path("bytes").asText()),
                f.path("permissions").asText("rw-------")));
      }
      return files;
    } catch (IOException | IllegalArgumentException e) {
      throw new BackupException("the backup's contents are not readable: " + e.getMessage());
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  private static SecretKeySpec key(char[] passphrase, byte[] salt, int iterations)
      throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
    try {
      byte[] k =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return new SecretKeySpec(k, "AES");
    } finally {
      spec.clearPassword();
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
