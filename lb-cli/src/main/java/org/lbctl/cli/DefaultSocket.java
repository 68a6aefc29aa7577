package org.lbctl.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the management socket lives unless told otherwise: {@code $LBCTL_SOCKET}, else
 * /run/lbctl/lbctl.sock for a node that may write there (root or the service user), else a
 * directory of the user's own.
 */
final class DefaultSocket {
  private DefaultSocket() {}

  static Path path() {
    String env = System.getenv("LBCTL_SOCKET");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path system = Path.of("/run/lbctl/lbctl.sock");
    if (Files.isWritable(system.getParent())
        || (!Files.exists(system.getParent()) && Files.isWritable(Path.of("/run")))) {
      return system;
    }
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank()) {
      return Path.of(runtime, "lbctl", "lbctl.sock");
    }
    return Path.of(
        System.getProperty("java.io.tmpdir"),
        "lbctl-" + System.getProperty("user.name"),
        "lbctl.sock");
  }
}
