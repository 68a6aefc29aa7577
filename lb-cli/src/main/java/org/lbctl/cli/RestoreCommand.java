package org.lbctl.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lbctl.core.backup.BackupArchive;
import org.lbctl.core.backup.BackupException;
import org.lbctl.core.backup.NodeFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "restore",
    description = {
      "Put the files of a backup back where they were (or under --root), once the node file and",
      "the configuration in it load as the node would load them; a wrong passphrase, a changed",
      "byte or files that would not run are refused and nothing is changed. Then restart the",
      "node (systemctl restart lbctl) or reload it."
    })
final class RestoreCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "the backup")
  Path file;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      defaultValue = "/",
      description = "write the files under this directory instead (default: where they were)")
  Path root;

  @Mixin BackupOptions options;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    byte[] archive = Files.readAllBytes(file);
    char[] passphrase = Passphrase.read(options.passphraseFile);
    try {
      Map<Path, BackupArchive.Entry> files = BackupArchive.open(archive, passphrase);
      List<Path> written = NodeFiles.restore(files, options.nodeFile, root);
      spec.commandLine()
          .getOut()
          .printf("%s: %d files restored; restart or reload the node%n", file, written.size());
      spec.commandLine().getOut().flush();
      return 0;
    } catch (BackupException e) {
      throw new CliFailure(file + ": " + e.getMessage());
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }
}
