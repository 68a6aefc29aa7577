package org.lbctl.cluster.sync;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.health.CheckCommands;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.tls.TlsMaterial;

/**
 * Refuses a configuration this node cannot run as written: a check script it does not have, a
 * check's TLS file it cannot use, a certificate that is unreadable, expired or not its key's, VIP
 * groups it cannot move. Valid elsewhere is not enough: this is what this node has and is.
 */
final class RunnableCheck {
  private final CheckCommands checkCommands;
  private final ConfigInstaller.Routing routing;
  // A node file's cluster of two: its floating addresses may move as one implicit group.
  private final boolean clusterOfTwo;

  RunnableCheck(
      CheckCommands checkCommands, ConfigInstaller.Routing routing, boolean clusterOfTwo) {
    this.checkCommands = checkCommands;
    this.routing = routing;
    this.clusterOfTwo = clusterOfTwo;
  }

  /**
   * @param movesGroups whether this node is a cluster's member, moving VIP groups, rather than a
   *     node alone or of a pair, moving all its addresses at once
   */
  void check(ReplicatedConfig config, boolean movesGroups) throws ConfigException {
    List<ConfigProblem> missing = new ArrayList<>(HealthChecker.problems(config, checkCommands));
    missing.addAll(TlsMaterial.problems(config, Instant.now()));
    missing.addAll(routing.prepare(config));
    if (!movesGroups && !config.members().isEmpty()) {
      missing.add(
          new ConfigProblem(
              "members",
              "the members of a cluster; this node runs alone or as a pair (remove the members"
                  + " section, or join a cluster with `lbctl cluster join`)"));
    }
    if (movesGroups) {
      // Two members without groups move every floating address as one (ImplicitGroup).
      if (!(clusterOfTwo && config.members().isEmpty())) {
        missing.addAll(groupless(config));
      }
    } else if (!config.groups().isEmpty()) {
      // Read and checked already, but a node that cannot move them must not pretend it will.
      missing.add(
          new ConfigProblem(
              "groups",
              "VIP groups move between the nodes of a cluster; this node runs alone or as a pair,"
                  + " which moves all its floating addresses together (remove the groups"
                  + " section)"));
    }
    if (!missing.isEmpty()) {
      throw new ConfigException(missing);
    }
  }

  /**
   * In a cluster a floating address belongs to a group or to nobody: without groups, no member
   * would ever serve it. (With groups, GroupRules refuses a floating address in none.)
   */
  private static List<ConfigProblem> groupless(ReplicatedConfig config) {
    if (!config.groups().isEmpty()) {
      return List.of();
    }
    List<String> floating =
        config.virtualServices().stream()
            .filter(v -> FloatingIp.floats(v.address()))
            .map(v -> v.label())
            .toList();
    if (floating.isEmpty() && config.floatingIps().isEmpty()) {
      return List.of();
    }
    return List.of(
        new ConfigProblem(
            "groups",
            "this node is a member of a cluster, where floating addresses move in VIP groups;"
                + " put "
                + (floating.isEmpty() ? "the floating IPs" : String.join(", ", floating))
                + " in a group (groups: [{name: …, virtualServices: […]}])"));
  }
}
