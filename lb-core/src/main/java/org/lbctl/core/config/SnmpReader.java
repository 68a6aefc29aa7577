package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads {@code snmp} of the node file: the read-only agent, its v2c community and v3 users (each
 * secret in a file of its own), and where notifications go.
 *
 * <pre>
 * snmp:
 *   listen: 0.0.0.0:161
 *   communityFile: snmp.community          # v2c; omit to answer v3 only
 *   users:                                 # v3, authPriv: HMAC-SHA-256 and AES-128
 *     - {name: monitor, authPasswordFile: snmp-monitor.auth, privPasswordFile: snmp-monitor.priv}
 *   engineId: "0x80001370046c62637463"     # v3 engine ID (default: derived from the host name)
 *   traps:
 *     - 10.0.0.9                           # SNMPv2c with the community, port 162
 *     - {address: 10.0.0.10:162, user: monitor}   # SNMPv3 authPriv as that user
 * </pre>
 */
final class SnmpReader {
  static final Set<String> FIELDS = Set.of("listen", "communityFile", "users", "traps", "engineId");
  static final Set<String> USER_FIELDS = Set.of("name", "authPasswordFile", "privPasswordFile");
  static final Set<String> TRAP_FIELDS = Set.of("address", "user");
  private static final int MIN_SECRET = 8;

  private SnmpReader() {}

  /** The SNMP agent: off unless configured, and then only with a community or a user. */
  static Optional<SnmpSettings> read(TreeReader in, JsonNode node, Path base) {
    if (node == null || node.isNull() || !in.object(node, "snmp", FIELDS)) {
      return Optional.empty();
    }
    String listen = in.text(node, "snmp", "listen", "0.0.0.0:161", false);
    Optional<InetSocketAddress> address = Endpoints.parse(listen, SnmpSettings.DEFAULT_PORT);
    if (address.isEmpty()) {
      in.problems()
          .add("snmp.listen", "'" + listen + "' (expected an IP address with an optional :port)");
    }
    String communityFile = in.text(node, "snmp", "communityFile", null, false);
    Optional<String> community =
        communityFile == null
            ? Optional.empty()
            : secret(in, "snmp.communityFile", base.resolve(communityFile));
    List<SnmpSettings.User> users = users(in, node.get("users"), base);
    JsonNode list = node.get("users");
    if (communityFile == null && (list == null || list.isNull() || list.isEmpty())) {
      in.problems()
          .add("snmp", "needs communityFile (v2c) or users (v3): there is no default community");
    }
    Optional<String> engineId = engineId(in, node);
    List<SnmpSettings.Trap> traps = traps(in, node.get("traps"), communityFile != null, users);
    return address.map(a -> new SnmpSettings(a, community, users, traps, engineId));
  }

  private static List<SnmpSettings.User> users(TreeReader in, JsonNode list, Path base) {
    List<SnmpSettings.User> users = new ArrayList<>();
    if (list == null || list.isNull()) {
      return users;
    }
    if (!list.isArray()) {
      in.problems()
          .add("snmp.users", "expected a list of {name, authPasswordFile, privPasswordFile}");
      return users;
    }
    for (int i = 0; i < list.size(); i++) {
      String path = "snmp.users[" + i + "]";
      JsonNode u = list.get(i);
      if (!in.object(u, path, USER_FIELDS)) {
        continue;
      }
      String name = in.text(u, path, "name", null, true);
      String auth = in.text(u, path, "authPasswordFile", null, true);
      String priv = in.text(u, path, "privPasswordFile", null, true);
      if (name != null && !name.matches("[A-Za-z0-9._-]{1,32}")) {
        in.problems().add(path + ".name", "'" + name + "' (letters, digits, . _ -, at most 32)");
      }
      Optional<String> a =
          auth == null
              ? Optional.empty()
              : secret(in, path + ".authPasswordFile", base.resolve(auth));
      Optional<String> p =
          priv == null
              ? Optional.empty()
              : secret(in, path + ".privPasswordFile", base.resolve(priv));
      if (name != null && a.isPresent() && p.isPresent()) {
        users.add(new SnmpSettings.User(name, a.get(), p.get()));
      }
    }
    return users;
  }

  /** An engine ID as RFC 3411 shapes them: 5 to 32 octets, written in hex with 0x. */
  private static Optional<String> engineId(TreeReader in, JsonNode node) {
    String text = in.text(node, "snmp", "engineId", null, false);
    if (text == null) {
      return Optional.empty();
    }
    String hex = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    if (!hex.matches("([0-9a-fA-F]{2}){5,32}")) {
      in.problems()
          .add(
              "snmp.engineId", "'" + text + "' (expected 5 to 32 octets in hex, e.g. 0x80001370…)");
      return Optional.empty();
    }
    return Optional.of(hex.toLowerCase(java.util.Locale.ROOT));
  }

  private static List<SnmpSettings.Trap> traps(
      TreeReader in, JsonNode list, boolean community, List<SnmpSettings.User> users) {
    List<SnmpSettings.Trap> traps = new ArrayList<>();
    if (list == null || list.isNull()) {
      return traps;
    }
    if (!list.isArray()) {
      in.problems().add("snmp.traps", "expected a list of addresses (v2c) or {address, user} (v3)");
      return traps;
    }
    for (int i = 0; i < list.size(); i++) {
      String path = "snmp.traps[" + i + "]";
      JsonNode t = list.get(i);
      String at;
      Optional<String> user = Optional.empty();
      if (t.isObject()) {
        if (!in.object(t, path, TRAP_FIELDS)) {
          continue;
        }
        at = in.text(t, path, "address", null, true);
        user = Optional.ofNullable(in.text(t, path, "user", null, true));
        if (user.isEmpty()) {
          continue;
        }
        String name = user.get();
        if (users.stream().noneMatch(u -> u.name().equals(name))) {
          in.problems()
              .add(path + ".user", "'" + name + "' is not one of snmp.users (v3 needs its keys)");
        }
      } else {
        at = t.isTextual() ? t.textValue() : null;
        if (at != null && !community) {
          in.problems()
              .add(
                  path,
                  "an SNMPv2c receiver needs communityFile; for SNMPv3 write {address: "
                      + at
                      + ", user: NAME}");
        }
      }
      Optional<InetSocketAddress> address =
          at == null ? Optional.empty() : Endpoints.parse(at, SnmpSettings.TRAP_PORT);
      if (address.isEmpty()) {
        in.problems()
            .add(path, TreeReader.describe(t) + " (expected an IP address with an optional :port)");
        continue;
      }
      traps.add(new SnmpSettings.Trap(address.get(), user));
    }
    return traps;
  }

  /** A secret's file: its first line, at least 8 characters (what SNMPv3 keys need). */
  private static Optional<String> secret(TreeReader in, String field, Path file) {
    try {
      Optional<String> mode = org.lbctl.core.os.SecretFiles.problem(file);
      if (mode.isPresent()) {
        in.problems().add(field, mode.get());
        return Optional.empty();
      }
      String text = Files.readString(file).lines().findFirst().orElse("").strip();
      if (text.length() < MIN_SECRET) {
        in.problems().add(field, file + " holds fewer than " + MIN_SECRET + " characters");
        return Optional.empty();
      }
      return Optional.of(text);
    } catch (IOException e) {
      in.problems().add(field, "cannot read " + file + ": " + e.getMessage());
      return Optional.empty();
    }
  }
}
