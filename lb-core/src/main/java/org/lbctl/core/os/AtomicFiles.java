package org.lbctl.core.os;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replaces a file so that a crash leaves either the old or the new one, never half of one: the
 * bytes go to a temporary file in the same directory, reach the disk, and are renamed over it.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * @param ownerOnly create the file readable by its owner only (0600), for secrets
   */
  /**
   * Copies {@code file} beside itself as {@code <name><suffix><now>}, owner-only whatever its mode
   * was (a configuration may hold private keys); the copy's path.
   */
  public static Path keepBeside(Path file, String suffix) throws IOException {
    Path kept = file.resolveSibling(file.getFileName() + suffix + java.time.Instant.now());
    java.nio.file.Files.copy(file, kept);
    java.nio.file.Files.setPosixFilePermissions(
        kept, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return kept;
  }

  public static void replace(Path target, byte[] bytes, boolean ownerOnly) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (ownerOnly) {
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
