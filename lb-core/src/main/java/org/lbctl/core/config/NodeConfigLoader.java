package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the node-local file: settings of this node that never replicate.
 *
 * <pre>
 * configFile: /etc/lbctl/lbctl.yaml        # the replicated configuration this node runs
 * managementSocket: /run/lbctl/lbctl.sock
 * ioThreads: 0                             # 0 = one per core
 * scriptsDirectory: /etc/lbctl/scripts     # external health check scripts
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
      Set.of("configFile", "managementSocket", "ioThreads", "pair", "scriptsDirectory");
  private static final Set<String> PAIR_FIELDS =
      Set.of("role", "bind", "peer", "secretFile", "pingTargets", "failback", "interface");
  private static final int MAX_BYTES = 64 * 1024;

  private NodeConfigLoader() {}

  public static NodeConfig load(Path file) throws ConfigException {
    JsonNode root = readYaml(file);
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
    Optional<PairSettings> pair = pair(in, root.get("pair"), base);
    String scripts =
        in.text(root, "", "scriptsDirectory", NodeConfig.DEFAULT_SCRIPTS.toString(), false);
    problems.throwIfAny();
    return new NodeConfig(
        Optional.of(base.resolve(config)),
        base.resolve(socket),
        ioThreads,
        pair,
        base.resolve(scripts));
  }

  /** A small YAML file of node settings as a tree; refused with the reason. */
  static JsonNode readYaml(Path file) throws ConfigException {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw ConfigException.of("", file + ": larger than " + MAX_BYTES + " bytes");
      }
      return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw ConfigException.of("", file + ": not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ConfigException.of("", "cannot read " + file + ": " + e);
    }
  }

  /** The pair section (of a node file, or a whole pair file written by {@code lbctl pair}). */
  static Optional<PairSettings> pair(TreeReader in, JsonNode node, Path base) {
    if (node == null || node.isNull() || !in.object(node, "pair", PAIR_FIELDS)) {
      return Optional.empty();
    }
    PairRole role = in.choice(node, "pair", "role", PairRole.class, null);
    if (role == null && node.get("role") == null) {
      in.problems().add("pair.role", "is required (primary or secondary)");
    }
    InetSocketAddress bind = endpoint(in, node, "bind");
    InetSocketAddress peer = endpoint(in, node, "peer");
    String secret = in.text(node, "pair", "secretFile", null, true);
    List<String> targets = new ArrayList<>();
    JsonNode list = node.get("pingTargets");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        in.problems().add("pair.pingTargets", "expected a list of IP addresses");
      } else {
        for (int i = 0; i < list.size(); i++) {
          JsonNode t = list.get(i);
          if (!t.isTextual()
              || (!NetUtil.isValidIpV4Address(t.textValue())
                  && !NetUtil.isValidIpV6Address(t.textValue()))) {
            in.problems().add("pair.pingTargets[" + i + "]", "'" + t + "' is not an IP address");
          } else {
            targets.add(t.textValue());
          }
        }
      }
    }
    boolean failback = in.bool(node, "pair", "failback", false);
    String device = in.text(node, "pair", "interface", PairSettings.DEFAULT_DEVICE, false);
    if (!device.matches("[A-Za-z0-9_.@-]{1,15}")) {
      in.problems().add("pair.interface", "'" + device + "' is not an interface name");
    }
    if (role == null || bind == null || peer == null || secret == null) {
      return Optional.empty();
    }
    if (bind.equals(peer)) {
      in.problems().add("pair.peer", "is this node's own address " + node.get("bind").asText());
    }
    return Optional.of(
        new PairSettings(role, bind, peer, base.resolve(secret), targets, failback, device));
  }

  /** {@code 10.0.0.1}, {@code 10.0.0.1:6695} or {@code [2001:db8::1]:6694}. */
  static InetSocketAddress endpoint(TreeReader in, JsonNode node, String field) {
    String text = in.text(node, "pair", field, null, true);
    if (text == null) {
      return null;
    }
    Optional<InetSocketAddress> parsed = Endpoints.parse(text, PairSettings.DEFAULT_PORT);
    if (parsed.isEmpty()) {
      in.problems()
          .add("pair." + field, "'" + text + "' (expected an IP address with an optional :port)");
      return null;
    }
    return parsed.get();
  }
}
