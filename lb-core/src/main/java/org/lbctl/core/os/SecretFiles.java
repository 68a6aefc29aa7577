package org.lbctl.core.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * The rule for a file that holds a secret (the pair secret, an SNMP community or passphrase): no
 * one but its owner and group may read it, and no one but its owner may write it, or someone else
 * could read the secret or put their own in. The node checks it where it reads such a file, and
 * {@code lbctl config check --node} checks it the same way.
 */
public final class SecretFiles {
  private SecretFiles() {}

  /** What is wrong with {@code file}'s mode, if anything. */
  public static Optional<String> problem(Path file) throws IOException {
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
    if (p.contains(PosixFilePermission.OTHERS_READ)) {
      return Optional.of(file + " is readable by everyone; chmod 0600 (or 0640) it");
    }
    if (p.contains(PosixFilePermission.OTHERS_WRITE)
        || p.contains(PosixFilePermission.GROUP_WRITE)) {
      return Optional.of(file + " is writable by others than its owner; chmod 0600 (or 0640) it");
    }
    return Optional.empty();
  }
}
