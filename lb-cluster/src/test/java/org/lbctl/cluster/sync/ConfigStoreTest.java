package org.lbctl.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.ConfigVersion;

class ConfigStoreTest {
  @TempDir Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aVersionIsRecordedBesideTheFileAndReadBack() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("lbctl.yaml"));
    assertThat(store.readVersion()).isEmpty();
    store.writeVersion(new ConfigVersion(7, "abc"));
    assertThat(store.versionFile()).isEqualTo(dir.resolve("lbctl.yaml.version"));
    assertThat(store.readVersion()).contains(new ConfigVersion(7, "abc"));
  }

  @Test
  void anUnreadableVersionFileCountsAsNone() throws Exception {
    ConfigStore store = new ConfigStore(dir.resolve("lbctl.yaml"));
    Files.writeString(store.versionFile(), "{\"version\": \"seven\"}");
    assertThat(store.readVersion()).isEmpty();
  }

  @Test
  void installingReplacesTheFileAndKeepsAnEditTheNodeNeverRan() throws Exception {
    Path file = dir.resolve("lbctl.yaml");
    Files.writeString(file, "# running\n");
    ConfigStore store = new ConfigStore(file);

    store.install(b("# v2\n"), new ConfigVersion(2, "h2"), b("# running\n"));
    assertThat(Files.readString(file)).isEqualTo("# v2\n");
    // A version from the peer may hold private keys: readable by the node only.
    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(store.readVersion()).contains(new ConfigVersion(2, "h2"));
    assertThat(kept()).isEmpty();

    // Someone edits the file on this node and never reloads; the next version keeps the edit.
    Files.writeString(file, "# hand edit\n");
    store.install(b("# v3\n"), new ConfigVersion(3, "h3"), b("# v2\n"));
    assertThat(Files.readString(file)).isEqualTo("# v3\n");
    assertThat(kept()).hasSize(1);
    assertThat(Files.readString(kept().get(0))).isEqualTo("# hand edit\n");
    assertThat(mode(kept().get(0))).isEqualTo("rw-------");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
    }
  }

  private static String mode(Path p) throws Exception {
    return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private java.util.List<Path> kept() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().contains(".local-")).toList();
    }
  }
}
