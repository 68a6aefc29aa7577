package org.lbctl.core.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineBootsTest {
  @TempDir Path dir;

  @Test
  void eachStartCountsOneMoreAndABrokenCountIsRefusedWithWhatToDo() throws Exception {
    assertThat(EngineBoots.next(Optional.of(dir))).isEqualTo(1);
    assertThat(EngineBoots.next(Optional.of(dir))).isEqualTo(2);
    assertThat(EngineBoots.next(Optional.of(dir))).isEqualTo(3);
    assertThat(EngineBoots.next(Optional.empty())).isEqualTo(1);
    Files.writeString(dir.resolve(EngineBoots.FILE), "2147483647\n");
    assertThat(EngineBoots.next(Optional.of(dir)))
        .as("stays at the RFC's end")
        .isEqualTo(2147483647);
    Files.writeString(dir.resolve(EngineBoots.FILE), "many\n");
    assertThatThrownBy(() -> EngineBoots.next(Optional.of(dir)))
        .hasMessageContaining("remove it to start again at 1");
  }

  @Test
  void theEngineIdIsTheSameAtEveryStartOnAHostAndShapedAsRfc3411Says() {
    var settings =
        new org.lbctl.core.config.SnmpSettings(
            new java.net.InetSocketAddress("127.0.0.1", 161),
            Optional.of("community"),
            java.util.List.of());
    byte[] id = SnmpAgent.engineId(settings).getValue();
    assertThat(SnmpAgent.engineId(settings).getValue()).isEqualTo(id);
    // Enterprise 4976 with the high bit, format 5 (octets), 12 octets of the host name's hash.
    assertThat(java.util.HexFormat.of().formatHex(id)).startsWith("8000137005").hasSize(34);
  }
}
