package org.lbctl.core.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.os.Commands;

/**
 * LBCTL-MIB through a real MIB compiler (libsmi's {@code smilint} and {@code smidump}), against the
 * IETF base modules that {@code test.sh} fetches: clean at the strictest level, and naming the OIDs
 * the agent and the notifier use.
 */
class MibCompilerIT {
  private static final Path MIB = Path.of("..", "deploy", "snmp", "LBCTL-MIB.txt");

  @TempDir Path dir;

  private static Map<String, String> smipath() {
    String mibs = System.getenv("LBCTL_IETF_MIBS");
    assertThat(mibs)
        .as("LBCTL_IETF_MIBS: the IETF base modules; ./test.sh fetches them and sets it")
        .isNotBlank();
    assertThat(Path.of(mibs, "SNMPv2-SMI")).exists();
    return Map.of("SMIPATH", mibs);
  }

  private static Commands.Result smi(String... argv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().putAll(smipath());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return new Commands.Result(List.of(argv), p.exitValue(), out);
  }

  @Test
  void theMibCompilesCleanAtTheStrictestLevelAndACheckerThatCatchesErrorsSaysSo() throws Exception {
    Commands.Result lint = smi("smilint", "-l", "6", "-s", MIB.toString());
    assertThat(lint.output()).as("smilint -l 6").isEmpty();
    assertThat(lint.exit()).isZero();

    // The same module with a clash (a notification named as an object) is refused: the check
    // above can fail.
    Path broken = dir.resolve("LBCTL-MIB.txt");
    Files.writeString(
        broken,
        Files.readString(MIB)
            .replace("lbctlPairChange NOTIFICATION-TYPE", "lbctlPairState NOTIFICATION-TYPE"));
    assertThat(smi("smilint", "-l", "6", "-s", broken.toString()).output())
        .contains("redefinition of identifier `lbctlPairState'");
  }

  @Test
  void theMibNamesEveryOidTheAgentServesAndTheNotifierSends() throws Exception {
    Commands.Result dump = smi("smidump", "-f", "identifiers", MIB.toString());
    assertThat(dump.exit()).as(dump.output()).isZero();
    Map<String, String> kindByOid = new TreeMap<>();
    for (String line : dump.output().lines().toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 4 && f[0].equals("LBCTL-MIB")) {
        kindByOid.put(f[3], f[2]);
      }
    }
    for (int n = 1; n <= 6; n++) {
      assertThat(kindByOid).containsEntry(SnmpNotifier.NOTIFICATIONS + "." + n, "notification");
    }
    for (var object : List.of(SnmpNotifier.SUBJECT, SnmpNotifier.FROM, SnmpNotifier.TO)) {
      assertThat(kindByOid).containsEntry(object.toDottedString(), "scalar");
    }
    for (int column = 2; column <= 11; column++) {
      assertThat(kindByOid).containsEntry(MibView.VIP_ENTRY + "." + column, "column");
      assertThat(kindByOid).containsEntry(MibView.RIP_ENTRY + "." + column, "column");
    }
    for (int scalar = 1; scalar <= 9; scalar++) {
      assertThat(kindByOid).containsEntry(MibView.NODE + "." + scalar, "scalar");
    }
  }
}
