package org.lbctl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What backup and restore both take: the node file, and where the passphrase is. */
final class BackupOptions {
  @Option(
      names = "--node",
      paramLabel = "NODE",
      defaultValue = "/etc/lbctl/node.yaml",
      description =
          "the node file (default: ${DEFAULT-VALUE}); for restore, where it was when the backup"
              + " was made")
  Path nodeFile;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "its first line is the passphrase (else the first line of standard input)")
  Path passphraseFile;
}
