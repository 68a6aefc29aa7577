package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.lbctl.core.os.AtomicFiles;

/**
 * The cluster settings that {@code lbctl cluster join} writes: {@code cluster.yaml} and {@code
 * cluster.secret} in the directory of the node's replicated configuration (the state directory,
 * writable by the service; the node file under /etc is read-only to it).
 *
 * <p>A cluster made by hand lives in the node file's {@code cluster} section instead; a node
 * refuses to start with both, because it could not tell which one is meant.
 */
public final class ClusterFile {
  public static final String FILE_NAME = "cluster.yaml";
  public static final String SECRET_NAME = "cluster.secret";

  private ClusterFile() {}

  /** Where {@code lbctl cluster join} keeps the cluster settings of a node running {@code file}. */
  public static Path beside(Path configFile) {
    return configFile.toAbsolutePath().resolveSibling(FILE_NAME);
  }

  /**
   * The node settings with the cluster file's settings added when there is one.
   *
   * @throws ConfigException when the cluster file is invalid, or the node file names a pair or a
   *     cluster too
   */
  public static NodeConfig attach(NodeConfig node) throws ConfigException {
    if (node.configFile().isEmpty()) {
      return node;
    }
    Path file = beside(node.configFile().get());
    if (!Files.exists(file)) {
      return node;
    }
    if (node.cluster().isPresent()) {
      throw ConfigException.of(
          "cluster",
          "the node file has a cluster section and "
              + file
              + " (written by `lbctl cluster join`) exists too: keep one of them");
    }
    if (node.pair().isPresent()) {
      throw ConfigException.of(
          "pair",
          "this node is one of a pair (its node file's pair section, or "
              + PairFile.FILE_NAME
              + " beside its configuration) and "
              + file
              + " (written by `lbctl cluster join`) exists too: a node is one of a pair or a"
              + " member of a cluster");
    }
    return node.withCluster(Optional.of(read(file)));
  }

  /** Reads a cluster file: the fields of a node file's cluster section, at the top level. */
  public static ClusterSettings read(Path file) throws ConfigException {
    Problems problems = new Problems();
    JsonNode root = NodeConfigLoader.readYaml(file, problems);
    Optional<ClusterSettings> cluster =
        NodeConfigLoader.cluster(new TreeReader(problems), root, file.toAbsolutePath().getParent());
    problems.throwIfAny();
    return cluster.orElseThrow(() -> ConfigException.of("", file + ": empty"));
  }

  /**
   * Writes the secret (owner-only) and then the cluster file, each atomically; the cluster file
   * last, so a node never finds a cluster file whose secret is missing.
   */
  public static void write(Path configFile, ClusterSettings cluster, String secret)
      throws IOException {
    Path file = beside(configFile);
    AtomicFiles.replace(
        file.resolveSibling(SECRET_NAME), (secret + "\n").getBytes(StandardCharsets.UTF_8), true);
    StringBuilder members = new StringBuilder();
    for (ClusterSettings.Member m : cluster.members()) {
      members
          .append("  - {name: ")
          .append(m.name())
          .append(", address: \"")
          .append(Endpoints.format(m.address()))
          .append("\"}\n");
    }
    Fencing f = cluster.fencing();
    String yaml =
        """
        # Written by `lbctl cluster join` at %s; `lbctl cluster leave` removes it.
        # This node's part in the cluster; it never replicates. The members listed here are where
        # it looks for the cluster at start: the configuration's member list rules after that.
        name: %s
        secretFile: %s
        interface: %s
        fencing: %s
        pingTargets: [%s]
        members:
        %s"""
            .formatted(
                Instant.now(),
                cluster.name(),
                SECRET_NAME,
                cluster.device(),
                f.enabled()
                    ? "{lease: "
                        + Durations.format(f.lease())
                        + ", renew: "
                        + Durations.format(f.renew())
                        + "}"
                    : "off",
                String.join(
                    ", ", cluster.pingTargets().stream().map(t -> "\"" + t + "\"").toList()),
                members);
    AtomicFiles.replace(file, yaml.getBytes(StandardCharsets.UTF_8), false);
  }

  /** Removes the cluster file and its secret. */
  public static void delete(Path configFile) throws IOException {
    Path file = beside(configFile);
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.resolveSibling(SECRET_NAME));
  }
}
