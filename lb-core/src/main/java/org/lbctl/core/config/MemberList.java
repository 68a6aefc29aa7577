package org.lbctl.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a cluster's member list, wherever it is written (the node file's {@code cluster.members},
 * the replicated configuration's {@code members}): three to {@value #MAX} members, each a name and
 * an address with an optional port, names and addresses each once.
 */
final class MemberList {
  static final int MAX = 64;
  static final String NAME = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";
  static final Set<String> FIELDS = Set.of("name", "address");

  private MemberList() {}

  /** The members at {@code path}; every problem is reported under it. */
  static List<ClusterSettings.Member> read(TreeReader in, JsonNode list, String path) {
    return read(in, list, path, 3);
  }

  /** ... with at least {@code least} members (two for a node file that names ping targets). */
  static List<ClusterSettings.Member> read(TreeReader in, JsonNode list, String path, int least) {
    List<ClusterSettings.Member> members = new ArrayList<>();
    if (list == null || !list.isArray()) {
      in.problems().add(path, "expected a list of {name, address}");
      return members;
    }
    Map<String, Integer> names = new HashMap<>();
    Map<InetSocketAddress, Integer> addresses = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      JsonNode m = list.get(i);
      if (!in.object(m, at, FIELDS)) {
        continue;
      }
      String n = in.text(m, at, "name", null, true);
      String a = in.text(m, at, "address", null, true);
      if (n != null && !n.matches(NAME)) {
        in.problems()
            .add(
                at + ".name",
                "'"
                    + org.lbctl.core.audit.LogText.safe(n, org.lbctl.core.audit.LogText.NAME)
                    + "' is not a member name (letters, digits, _ . -)");
        n = null;
      }
      Optional<InetSocketAddress> address =
          a == null ? Optional.empty() : Endpoints.parse(a, PairSettings.DEFAULT_PORT);
      if (a != null && address.isEmpty()) {
        in.problems()
            .add(
                at + ".address",
                "'"
                    + org.lbctl.core.audit.LogText.safe(a, org.lbctl.core.audit.LogText.NAME)
                    + "' (expected an IP address with an optional :port)");
      }
      if (n == null || address.isEmpty()) {
        continue;
      }
      Integer first = names.putIfAbsent(n, i);
      if (first != null) {
        in.problems().add(at + ".name", "'" + n + "' is also " + path + "[" + first + "]");
      }
      Integer same = addresses.putIfAbsent(address.get(), i);
      if (same != null) {
        in.problems().add(at + ".address", a + " is also " + path + "[" + same + "]'s address");
      }
      members.add(new ClusterSettings.Member(n, address.get()));
    }
    if (list.size() > MAX) {
      in.problems().add(path, list.size() + " members: a cluster has at most " + MAX);
    }
    if (list.size() < least) {
      in.problems()
          .add(
              path,
              list.size()
                  + " member(s) cannot form a majority that survives a failure: a cluster needs"
                  + " three or more"
                  + (least == 3 && path.startsWith("cluster.")
                      ? " (two need cluster.pingTargets, which break their tie as a pair's do)"
                      : ""));
    }
    return members;
  }
}
