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
 * The pair settings that {@code lbctl pair} writes: {@code pair.yaml} and {@code pair.secret} in
 * the directory of the node's replicated configuration. That directory is the node's state
 * directory, writable by the service, whereas the node file under /etc is read-only to it.
 *
 * <p>A pair made by hand lives in the node file's {@code pair} section instead; a node refuses to
 * start with both, because it could not tell which one is meant.
 */
public final class PairFile {
  public static final String FILE_NAME = "pair.yaml";
  public static final String SECRET_NAME = "pair.secret";

  private PairFile() {}

  /** Where {@code lbctl pair} keeps the pair settings of a node running {@code configFile}. */
  public static Path beside(Path configFile) {
    return configFile.toAbsolutePath().resolveSibling(FILE_NAME);
  }

  /**
   * The node settings with the pair file's settings added when there is one.
   *
   * @throws ConfigException when the pair file is invalid, or the node file has a pair section too
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
              + " (written by `lbctl pair`) exists too: a node is one of a pair or a member of a"
              + " cluster");
    }
    if (node.pair().isPresent()) {
      throw ConfigException.of(
          "pair",
          "the node file has a pair section and "
              + file
              + " (written by `lbctl pair`) exists too: keep one of them");
    }
    return node.withPair(Optional.of(read(file)));
  }

  /** Reads a pair file: the fields of a node file's pair section, at the top level. */
  public static PairSettings read(Path file) throws ConfigException {
    Problems problems = new Problems();
    JsonNode root = NodeConfigLoader.readYaml(file, problems);
    Optional<PairSettings> pair =
        NodeConfigLoader.pair(new TreeReader(problems), root, file.toAbsolutePath().getParent());
    problems.throwIfAny();
    return pair.orElseThrow(() -> ConfigException.of("", file + ": empty"));
  }

  /**
   * Writes the secret (owner-only) and then the pair file, each atomically; the pair file last, so
   * a node never finds a pair file whose secret is missing.
   */
  public static void write(Path configFile, PairSettings pair, String secret) throws IOException {
    Path file = beside(configFile);
    Path secretFile = file.resolveSibling(SECRET_NAME);
    AtomicFiles.replace(secretFile, (secret + "\n").getBytes(StandardCharsets.UTF_8), true);
    String yaml =
        """
        # Written by `lbctl pair` at %s; `lbctl pair --break` removes it.
        # The pair's settings for this node; they never replicate.
        role: %s
        bind: "%s"
        peer: "%s"
        secretFile: %s
        pingTargets: [%s]
        failback: %s
        interface: %s
        """
            .formatted(
                Instant.now(),
                pair.role().configName(),
                Endpoints.format(pair.bind()),
                Endpoints.format(pair.peer()),
                SECRET_NAME,
                String.join(", ", pair.pingTargets().stream().map(t -> "\"" + t + "\"").toList()),
                pair.failback(),
                pair.device());
    AtomicFiles.replace(file, yaml.getBytes(StandardCharsets.UTF_8), false);
  }

  /** Removes the pair file and its secret. */
  public static void delete(Path configFile) throws IOException {
    Path file = beside(configFile);
    Files.deleteIfExists(file);
    Files.deleteIfExists(file.resolveSibling(SECRET_NAME));
  }
}
