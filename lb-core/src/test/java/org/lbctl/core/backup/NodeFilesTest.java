package org.lbctl.core.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFilesTest {
  @TempDir Path dir;

  private static BackupArchive.Entry text(String s) {
    return new BackupArchive.Entry(s.getBytes(StandardCharsets.UTF_8), "rw-------");
  }

  @Test
  void aBackupNamingAPathThatIsNotAbsoluteAndPlainIsRefusedAndWritesNothing() {
    Path root = dir.resolve("root");
    for (String crafted : new String[] {"/etc/lbctl/../../tmp/evil", "tmp/evil"}) {
      Map<Path, BackupArchive.Entry> files = new LinkedHashMap<>();
      files.put(Path.of("/etc/lbctl/node.yaml"), text("configFile: lbctl.yaml\n"));
      files.put(Path.of(crafted), text("x"));
      assertThatThrownBy(() -> NodeFiles.restore(files, Path.of("/etc/lbctl/node.yaml"), root))
          .as(crafted)
          .isInstanceOf(BackupException.class)
          .hasMessageContaining("not absolute and plain");
      assertThat(root).doesNotExist();
    }
  }

  @Test
  void aSealedBackupOpensOnlyWithItsPassphraseAndUnchanged() throws Exception {
    Map<Path, BackupArchive.Entry> files = Map.of(Path.of("/etc/lbctl/node.yaml"), text("a: b\n"));
    byte[] sealed = BackupArchive.seal(files, "a long passphrase".toCharArray());
    assertThat(BackupArchive.open(sealed, "a long passphrase".toCharArray()))
        .containsOnlyKeys(Path.of("/etc/lbctl/node.yaml"));
    assertThatThrownBy(() -> BackupArchive.open(sealed, "another passphrase".toCharArray()))
        .hasMessageContaining("wrong passphrase");
    // The header is authenticated too: a lower iteration count written in is refused.
    byte[] changed = sealed.clone();
    changed["LBCTL-BACKUP-1\n".length() + 16 + 3] ^= 1;
    assertThatThrownBy(() -> BackupArchive.open(changed, "a long passphrase".toCharArray()))
        .isInstanceOf(BackupException.class);
    assertThatThrownBy(() -> BackupArchive.seal(files, "short".toCharArray()))
        .hasMessageContaining("at least 12 characters");
  }
}
