package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairFileTest {
  @TempDir Path dir;

  private final PairSettings settings =
      new PairSettings(
          PairRole.SECONDARY,
          new InetSocketAddress(IpLiterals.parse("10.99.0.12"), 6694),
          new InetSocketAddress(IpLiterals.parse("fd00::11"), 6700),
          Path.of("ignored"),
          List.of("10.99.0.1", "fd00::1"),
          true,
          "eth1");

  @Test
  void whatPairingWritesANodeReadsBackWithAnOwnerOnlySecret() throws Exception {
    Path config = dir.resolve("lbctl.yaml");
    PairFile.write(config, settings, "0123456789abcdef0123456789abcdef");

    PairSettings read = PairFile.read(dir.resolve("pair.yaml"));
    assertThat(read.role()).isEqualTo(PairRole.SECONDARY);
    assertThat(read.bind()).isEqualTo(settings.bind());
    assertThat(read.peer()).isEqualTo(settings.peer());
    assertThat(read.pingTargets()).containsExactly("10.99.0.1", "fd00::1");
    assertThat(read.failback()).isTrue();
    assertThat(read.device()).isEqualTo("eth1");
    assertThat(read.secretFile()).isEqualTo(dir.resolve("pair.secret").toAbsolutePath());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(read.secretFile())))
        .isEqualTo("rw-------");
    assertThat(Files.readString(read.secretFile()).strip())
        .isEqualTo("0123456789abcdef0123456789abcdef");

    PairFile.delete(config);
    assertThat(dir.resolve("pair.yaml")).doesNotExist();
    assertThat(dir.resolve("pair.secret")).doesNotExist();
  }

  @Test
  void aNodeFindsThePairFileBesideItsConfigurationAndRefusesTwoPairs() throws Exception {
    Path config = dir.resolve("lbctl.yaml");
    NodeConfig alone = new NodeConfig(Optional.of(config), dir.resolve("s.sock"), 1);
    assertThat(PairFile.attach(alone).pair()).isEmpty();

    PairFile.write(config, settings, "0123456789abcdef0123456789abcdef");
    assertThat(PairFile.attach(alone).pair()).map(PairSettings::role).contains(PairRole.SECONDARY);

    NodeConfig handMade = alone.withPair(Optional.of(settings));
    assertThatThrownBy(() -> PairFile.attach(handMade))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("keep one of them");
  }

  @Test
  void aBrokenPairFileIsAnErrorNamingTheField() throws Exception {
    Files.writeString(dir.resolve("pair.yaml"), "role: tertiary\nbind: 10.0.0.1\n");

    assertThatThrownBy(() -> PairFile.read(dir.resolve("pair.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("pair.role")
        .hasMessageContaining("pair.peer");
  }
}
