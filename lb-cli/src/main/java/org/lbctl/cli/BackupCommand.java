package org.lbctl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lbctl.core.backup.BackupArchive;
import org.lbctl.core.backup.NodeFiles;
import org.lbctl.core.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "backup",
    description = {
      "Write this node's configuration, certificates and keys, users, tokens and pair or cluster",
      "files into FILE, encrypted with a passphrase (AES-256-GCM, the key from PBKDF2, 600,000",
      "rounds). Run it on the node: it reads the files the node file names. Without",
      "--passphrase-file the passphrase is the first line of standard input."
    })
final class BackupCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "the backup to write")
  Path file;

  @Mixin BackupOptions options;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<Path, BackupArchive.Entry> files;
    try {
      files = NodeFiles.collect(options.nodeFile);
    } catch (ConfigException e) {
      throw new CliFailure(options.nodeFile + ": " + e.getMessage());
    }
    char[] passphrase = Passphrase.read(options.passphraseFile);
    byte[] sealed;
    try {
      sealed = BackupArchive.seal(files, passphrase);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(e.getMessage());
    } finally {
      Arrays.fill(passphrase, '\0');
    }
    Files.write(file, sealed);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    spec.commandLine()
        .getOut()
        .printf(
            "%s: %d files of %s, encrypted (%d bytes)%n",
            file, files.size(), options.nodeFile.toAbsolutePath().normalize(), sealed.length);
    spec.commandLine().getOut().flush();
    return 0;
  }
}
