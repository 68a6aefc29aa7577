package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.sdk.DN;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.lbctl.core.auth.Role;
import org.lbctl.core.tls.PemTrust;

/**
 * Reads {@code management.directory} of the node file:
 *
 * <pre>
 * directory:
 *   url: ldaps://dc1.hospital.example        # or ldap://...:389 with startTls: true
 *   caFile: hospital-ca.pem
 *   userDn: "uid={user},ou=people,dc=hospital,dc=example"   # or "{user}@hospital.example" (AD)
 *   userBase: "ou=staff,dc=hospital,dc=example"             # with a userDn that is not a DN
 *   groupBase: "ou=groups,dc=hospital,dc=example"
 *   groups:
 *     "cn=lb-admins,ou=groups,dc=hospital,dc=example": admin
 *     "cn=radiology-it,ou=groups,dc=hospital,dc=example": operator
 *   timeout: 5s
 * </pre>
 */
final class DirectoryReader {
  static final String PATH = "management.directory";
  static final Set<String> FIELDS =
      Set.of("url", "startTls", "caFile", "userDn", "userBase", "groupBase", "groups", "timeout");

  private DirectoryReader() {}

  static Optional<DirectorySettings> read(TreeReader in, JsonNode node, Path base) {
    if (node == null || node.isNull() || !in.object(node, PATH, FIELDS)) {
      return Optional.empty();
    }
    Problems problems = in.problems();
    int before = problems.size();
    String url = in.text(node, PATH, "url", null, true);
    boolean startTls = in.bool(node, PATH, "startTls", false);
    String host = null;
    int port = 0;
    if (url != null) {
      try {
        URI u = new URI(url);
        String scheme = u.getScheme() == null ? "" : u.getScheme();
        if (!scheme.equals("ldaps") && !scheme.equals("ldap")) {
          problems.add(PATH + ".url", "'" + url + "' (expected ldaps://HOST[:PORT] or ldap://…)");
        } else if (u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty())) {
          problems.add(PATH + ".url", "'" + url + "' (expected ldaps://HOST[:PORT], no path)");
        } else if (scheme.equals("ldap") && !startTls) {
          problems.add(
              PATH + ".url",
              "ldap:// would send passwords in clear: use ldaps:// or startTls: true");
        } else if (scheme.equals("ldaps") && startTls) {
          problems.add(PATH + ".startTls", "is for ldap://; ldaps:// is TLS from the start");
        } else {
          host =
              u.getHost().startsWith("[")
                  ? u.getHost().substring(1, u.getHost().length() - 1)
                  : u.getHost();
          port = u.getPort() > 0 ? u.getPort() : scheme.equals("ldaps") ? 636 : 389;
        }
      } catch (URISyntaxException e) {
        problems.add(PATH + ".url", "'" + url + "' is not a URL: " + e.getReason());
      }
    }
    String ca = in.text(node, PATH, "caFile", null, true);
    Path caFile = ca == null ? null : base.resolve(ca);
    if (caFile != null) {
      try {
        PemTrust.context(caFile);
      } catch (IOException e) {
        problems.add(PATH + ".caFile", e.getMessage());
      }
    }
    String userDn = in.text(node, PATH, "userDn", null, true);
    boolean userIsDn = false;
    if (userDn != null) {
      int at = userDn.indexOf(DirectorySettings.USER);
      if (at < 0 || userDn.indexOf(DirectorySettings.USER, at + 1) >= 0) {
        problems.add(PATH + ".userDn", "names " + DirectorySettings.USER + " exactly once");
      }
      userIsDn = DN.isValidDN(userDn.replace(DirectorySettings.USER, "x"));
      if (!userIsDn && !userDn.replace(DirectorySettings.USER, "x").matches("x@[^@\\s]+")) {
        problems.add(
            PATH + ".userDn",
            "'" + userDn + "' is neither a DN nor a user principal name such as {user}@domain");
      }
    }
    String userBase = dn(in, node, "userBase", false);
    if (userDn != null && !userIsDn && userBase == null) {
      problems.add(
          PATH + ".userBase",
          "is required with a userDn that is not a DN (the user's entry is found there)");
    }
    String groupBase = dn(in, node, "groupBase", true);
    Map<String, org.lbctl.core.auth.Role> groups = groups(in, node.get("groups"));
    Duration timeout =
        in.duration(
            node,
            PATH,
            "timeout",
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofSeconds(30));
    if (problems.size() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new DirectorySettings(
            host,
            port,
            startTls,
            caFile,
            userDn,
            Optional.ofNullable(userBase),
            groupBase,
            groups,
            timeout));
  }

  private static String dn(TreeReader in, JsonNode node, String field, boolean required) {
    String text = in.text(node, PATH, field, null, required);
    if (text != null && !DN.isValidDN(text)) {
      in.problems().add(PATH + "." + field, "'" + text + "' is not a DN");
      return null;
    }
    return text;
  }

  private static Map<String, Role> groups(TreeReader in, JsonNode node) {
    Map<String, Role> out = new LinkedHashMap<>();
    String path = PATH + ".groups";
    if (node == null || node.isNull()) {
      in.problems().add(path, "is required: the groups whose members may log in, with their roles");
      return out;
    }
    if (!node.isObject() || node.isEmpty()) {
      in.problems().add(path, "expected group DN: role pairs, at least one");
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String where = path + "." + e.getKey();
      if (!DN.isValidDN(e.getKey())) {
        in.problems().add(where, "'" + e.getKey() + "' is not a DN");
        continue;
      }
      Optional<Role> role =
          e.getValue().isTextual() ? Role.parse(e.getValue().textValue()) : Optional.empty();
      if (role.isEmpty()) {
        in.problems().add(where, "expected viewer, operator or admin, got " + e.getValue());
        continue;
      }
      out.put(e.getKey(), role.get());
    }
    return out;
  }
}
