package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the node-local file: settings of this node that never replicate.
 *
 * <pre>
 * configFile: /etc/lbctl/lbctl.yaml        # the replicated configuration this node runs
 * managementSocket: /run/lbctl/lbctl.sock
 * ioThreads: 0                             # 0 = one per core
 * pair:                                    # omit for a node that runs alone
 *   role: primary                          # primary | secondary
 *   bind: 10.99.0.11                       # this node, UDP port 6694 unless :port is given
 *   peer: 10.99.0.12
 *   secretFile: /etc/lbctl/pair.secret     # the same on both nodes
 *   pingTargets: [10.99.0.1]               # take over only if one of these answers
 *   failback: false                        # a recovered primary takes the active role back
 * </pre>
 *
 * Relative paths are taken from the node file's directory.
 */
public final class NodeConfigLoader {
  private static final Set<String> FIELDS =
      Set.of("configFile", "managementSocket", "ioThreads", "pair");
  private static final Set<String> PAIR_FIELDS =
      Set.of("role", "bind", "peer", "secretFile", "pingTargets", "failback");
  private static final int MAX_BYTES = 64 * 1024;

  private NodeConfigLoader() {}

  public static NodeConfig load(Path file) throws ConfigException {
    JsonNode root;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw ConfigException.of("", file + ": larger than " + MAX_BYTES + " bytes");
      }
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ConfigException.of("", file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ConfigException.of("", "cannot read " + file + ": " + e);
    }
    Problems problems = new Problems();
    TreeReader in = new TreeReader(problems);
    if (root == null || !in.object(root, "", FIELDS)) {
      problems.throwIfAny();
      throw ConfigException.of("", file + ": empty (expected configFile, managementSocket)");
    }
    Path base = file.toAbsolutePath().getParent();
    String config = in.text(root, "", "configFile", null, true);
    String socket =
        in.text(root, "", "managementSocket", NodeConfig.DEFAULT_SOCKET.toString(), false);
    int ioThreads = in.integer(root, "", "ioThreads", 0, 0, 1024);
    problems.throwIfAny();
    return new NodeConfig(Optional.of(base.resolve(config)), base.resolve(socket), ioThreads);
  }
}
