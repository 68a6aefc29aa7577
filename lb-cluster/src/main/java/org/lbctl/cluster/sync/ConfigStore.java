package org.lbctl.cluster.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Optional;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.os.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the replicated configuration on disk: the file the node loads, and beside it {@code
 * <file>.version} with the version number and hash, so a restarted node knows which version it
 * holds. Every write goes to a temporary file in the same directory and is renamed over the old
 * one, so a crash leaves either the old or the new file, never half of one.
 */
public final class ConfigStore {
  private static final Logger log = LoggerFactory.getLogger(ConfigStore.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final Path file;
  private final Path versionFile;

  public ConfigStore(Path file) {
    this.file = file.toAbsolutePath();
    this.versionFile = this.file.resolveSibling(this.file.getFileName() + ".version");
  }

  public Path file() {
    return file;
  }

  public Path versionFile() {
    return versionFile;
  }

  /** The version last recorded; empty when there is none or it cannot be read (logged). */
  public Optional<ConfigVersion> readVersion() {
    if (!Files.exists(versionFile)) {
      return Optional.empty();
    }
    try {
      JsonNode n = JSON.readTree(versionFile.toFile());
      if (n == null || !n.path("version").canConvertToLong() || !n.path("hash").isTextual()) {
        throw new IOException("expected {\"version\": N, \"hash\": \"...\"}");
      }
      return Optional.of(new ConfigVersion(n.path("version").asLong(), n.path("hash").asText()));
    } catch (IOException | IllegalArgumentException e) {
      log.warn(
          "cannot read the configuration version from {} ({}); treating the configuration as"
              + " unnumbered",
          versionFile,
          e.getMessage());
      return Optional.empty();
    }
  }

  public void writeVersion(ConfigVersion version) throws IOException {
    byte[] bytes =
        JSON.writerWithDefaultPrettyPrinter()
            .writeValueAsBytes(
                JSON.createObjectNode()
                    .put("version", version.number())
                    .put("hash", version.hash())
                    .put("written", java.time.Instant.now().toString()));
    AtomicFiles.replace(versionFile, bytes, false);
  }

  /**
   * Writes a version received from the peer in place of the file. When the file on disk is not what
   * this node last loaded (someone edited it here and never reloaded), that edit is kept as {@code
   * <file>.local-<time>} first, and the log says so: nothing typed by an operator is lost.
   *
   * @param loaded the document this node runs now, as it was read or received
   */
  public void install(byte[] document, ConfigVersion version, byte[] loaded) throws IOException {
    if (Files.exists(file)) {
      byte[] onDisk = Files.readAllBytes(file);
      if (!Arrays.equals(onDisk, loaded) && !Arrays.equals(onDisk, document)) {
        Path kept = file.resolveSibling(file.getFileName() + ".local-" + STAMP.format(now()));
        Files.copy(file, kept, StandardCopyOption.REPLACE_EXISTING);
        // Owner only, whatever the file's mode was: a configuration may hold private keys.
        Files.setPosixFilePermissions(
            kept, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        log.warn(
            "{} held edits this node never ran; they are kept in {} before version {} from the"
                + " peer replaces the file",
            file,
            kept,
            version);
      }
    }
    // Owner only, as on the node where it was edited: it may hold private keys.
    AtomicFiles.replace(file, document, true);
    writeVersion(version);
  }

  private static LocalDateTime now() {
    return LocalDateTime.now();
  }
}
