package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterFileTest {
  @TempDir Path dir;

  private final ClusterSettings settings =
      new ClusterSettings(
          "lb4",
          List.of(
              member("lb1", "10.99.0.11", 6694),
              member("lb2", "10.99.0.12", 6694),
              member("lb3", "fd00::13", 6700),
              member("lb4", "10.99.0.14", 6694)),
          Path.of("ignored"),
          "eth1",
          new Fencing(true, Duration.ofMillis(1500), Duration.ofMillis(300)));

  private static ClusterSettings.Member member(String name, String ip, int port) {
    return new ClusterSettings.Member(name, new InetSocketAddress(IpLiterals.parse(ip), port));
  }

  @Test
  void whatJoiningWritesANodeReadsBackWithAnOwnerOnlySecret() throws Exception {
    Path config = dir.resolve("lbctl.yaml");
    ClusterFile.write(config, settings, "0123456789abcdef0123456789abcdef");

    ClusterSettings read = ClusterFile.read(dir.resolve("cluster.yaml"));
    assertThat(read.name()).isEqualTo("lb4");
    assertThat(read.members()).isEqualTo(settings.members());
    assertThat(read.device()).isEqualTo("eth1");
    assertThat(read.fencing()).isEqualTo(settings.fencing());
    assertThat(read.secretFile()).isEqualTo(dir.resolve("cluster.secret").toAbsolutePath());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(read.secretFile())))
        .isEqualTo("rw-------");

    ClusterFile.delete(config);
    assertThat(dir.resolve("cluster.yaml")).doesNotExist();
    assertThat(dir.resolve("cluster.secret")).doesNotExist();
  }

  @Test
  void aNodeFindsTheClusterFileBesideItsConfigurationAndRefusesASecondCluster() throws Exception {
    Path config = dir.resolve("lbctl.yaml");
    NodeConfig alone = new NodeConfig(Optional.of(config), dir.resolve("s.sock"), 1);
    assertThat(ClusterFile.attach(alone).cluster()).isEmpty();

    ClusterFile.write(config, settings, "0123456789abcdef0123456789abcdef");
    assertThat(ClusterFile.attach(alone).cluster()).map(ClusterSettings::name).contains("lb4");

    NodeConfig handMade = alone.withCluster(Optional.of(settings));
    assertThatThrownBy(() -> ClusterFile.attach(handMade))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("the node file has a cluster section and")
        .hasMessageContaining("(written by `lbctl cluster join`) exists too");
  }

  @Test
  void aPairFileBesideANodeFileClusterIsRefused() throws Exception {
    Path config = dir.resolve("lbctl.yaml");
    NodeConfig member =
        new NodeConfig(Optional.of(config), dir.resolve("s.sock"), 1)
            .withCluster(Optional.of(settings));
    PairFile.write(
        config,
        new PairSettings(
            PairRole.PRIMARY,
            new InetSocketAddress(IpLiterals.parse("10.99.0.14"), 6694),
            new InetSocketAddress(IpLiterals.parse("10.99.0.15"), 6694),
            Path.of("ignored"),
            List.of(),
            false,
            "eth0"),
        "0123456789abcdef0123456789abcdef");
    assertThatThrownBy(() -> PairFile.attach(member))
        .hasMessageContaining("a node is one of a pair or a member of a cluster");
  }

  @Test
  void aClusterFileBesideAPairFileIsRefusedAsTheNodeStarts() throws Exception {
    Path config = dir.resolve("lbctl.yaml");
    NodeConfig alone = new NodeConfig(Optional.of(config), dir.resolve("s.sock"), 1);
    PairFile.write(
        config,
        new PairSettings(
            PairRole.PRIMARY,
            new InetSocketAddress(IpLiterals.parse("10.99.0.14"), 6694),
            new InetSocketAddress(IpLiterals.parse("10.99.0.15"), 6694),
            Path.of("ignored"),
            List.of(),
            false,
            "eth0"),
        "0123456789abcdef0123456789abcdef");
    ClusterFile.write(config, settings, "0123456789abcdef0123456789abcdef");
    // As the node reads them at start: the pair file first, then the cluster file.
    assertThatThrownBy(() -> ClusterFile.attach(PairFile.attach(alone)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pair.yaml beside its configuration")
        .hasMessageContaining("a node is one of a pair or a member of a cluster");
  }
}
