package org.lbctl.cluster.groups;

import java.util.ArrayList;
import java.util.List;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VipGroup;

/**
 * {@code lbctl group move G NODE} as a configuration edit, so every member places the group alike:
 * NODE goes first in the group's preference, and failback is on (without it a group stays on its
 * live holder). The new version reaches every member through configuration sync.
 */
public final class GroupMove {
  private GroupMove() {}

  /**
   * @throws ApiException 404 for an unknown group, 400 for a node that is not a member
   */
  public static ReplicatedConfig move(
      ReplicatedConfig config, String group, String node, List<String> members)
      throws ApiException {
    if (!members.contains(node)) {
      throw new ApiException(
          400,
          "'" + node + "' is not a member of this cluster (" + String.join(", ", members) + ")");
    }
    List<VipGroup> groups = new ArrayList<>();
    boolean found = false;
    for (VipGroup g : config.groups()) {
      if (g.name().equals(group)) {
        found = true;
        List<String> preference = new ArrayList<>(List.of(node));
        g.preference().stream().filter(n -> !n.equals(node)).forEach(preference::add);
        groups.add(new VipGroup(g.name(), g.virtualServices(), g.floatingIps(), preference, true));
      } else {
        groups.add(g);
      }
    }
    if (!found) {
      throw new ApiException(
          404,
          "no group '"
              + group
              + "' (groups: "
              + String.join(", ", config.groups().stream().map(VipGroup::name).toList())
              + ")");
    }
    return config.withGroups(groups);
  }
}
