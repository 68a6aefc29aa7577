package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void readsTheNodeFileWithPathsRelativeToIt() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file, "configFile: lbctl.yaml\nmanagementSocket: run/lb.sock\nioThreads: 2\n");

    NodeConfig node = NodeConfigLoader.load(file);

    assertThat(node.configFile()).contains(dir.resolve("lbctl.yaml"));
    assertThat(node.managementSocket()).isEqualTo(dir.resolve("run/lb.sock"));
    assertThat(node.ioThreads()).isEqualTo(2);
  }

  @Test
  void defaultsTheSocketAndThreads() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, "configFile: /etc/lbctl/lbctl.yaml\n");

    NodeConfig node = NodeConfigLoader.load(file);

    assertThat(node.managementSocket()).isEqualTo(NodeConfig.DEFAULT_SOCKET);
    assertThat(node.ioThreads()).isZero();
  }

  @Test
  void refusesUnknownFieldsMissingConfigAndBadValuesAllAtOnce() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, "managementSocket: 7\nioThreads: -1\npeer: 10.0.0.2\n");

    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(
                        "peer: unknown field (expected one of: [configFile, ioThreads,"
                            + " managementSocket])",
                        "configFile: is required",
                        "managementSocket: expected text, got number 7",
                        "ioThreads: -1 (expected: 0..1024)"));
  }

  @Test
  void refusesEmptyAndUnreadableFiles() throws Exception {
    Path empty = dir.resolve("empty.yaml");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> NodeConfigLoader.load(empty)).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> NodeConfigLoader.load(dir.resolve("nope.yaml")))
        .hasMessageContaining("cannot read");
  }
}
