package org.lbctl.cluster.groups;

import java.util.List;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VipGroup;
import org.lbctl.core.config.VirtualService;

/**
 * A two-member cluster's configuration without groups, as a pair's is: every floating address moves
 * as one group, {@value #NAME} (which exists with no floating address too), preferring the members
 * in the order they are listed (the same on both), without failback unless a pair asks for it.
 * Three members or more need groups of their own.
 */
public final class ImplicitGroup {
  public static final String NAME = "all";

  private ImplicitGroup() {}

  /** {@code config} with the implicit group when it applies, else {@code config} itself. */
  public static ReplicatedConfig apply(ReplicatedConfig config, List<String> members) {
    return apply(config, members, false);
  }

  /** ... going back to the first member when it returns if {@code failback} (a pair's setting). */
  public static ReplicatedConfig apply(
      ReplicatedConfig config, List<String> members, boolean failback) {
    if (!config.groups().isEmpty() || members.size() != 2) {
      return config;
    }
    List<String> services =
        config.virtualServices().stream()
            .filter(v -> FloatingIp.floats(v.address()))
            .map(VirtualService::label)
            .toList();
    // Also with nothing floating: one member holds it all the same, and a pair has its active node
    // (it answers edits, fails over) before its first floating address is configured.
    List<String> extra = config.floatingIps().stream().map(FloatingIp::cidr).toList();
    return config.withGroups(List.of(new VipGroup(NAME, services, extra, members, failback)));
  }
}
