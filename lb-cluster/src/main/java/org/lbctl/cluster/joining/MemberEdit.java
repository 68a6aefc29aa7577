package org.lbctl.cluster.joining;

import java.util.ArrayList;
import java.util.List;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VipGroup;

/**
 * A member joining or leaving as a configuration edit: the configuration's member list (the node
 * file's until the first edit) with one member more or less. The new version reaches every member
 * through configuration sync, so all of them count the same members for quorum and placement.
 */
public final class MemberEdit {
  /** The most members a cluster has (the node file's limit too). */
  public static final int MAX_MEMBERS = 64;

  private MemberEdit() {}

  /**
   * @param members the members now, in order
   * @throws ApiException 409 for a name or an address (IP) already a member's, or a full cluster
   */
  public static ReplicatedConfig add(
      ReplicatedConfig config, List<ClusterSettings.Member> members, ClusterSettings.Member added)
      throws ApiException {
    for (ClusterSettings.Member m : members) {
      if (m.name().equals(added.name())) {
        throw new ApiException(
            409,
            "'"
                + added.name()
                + "' is a member already (at "
                + Endpoints.format(m.address())
                + "): join under another name, or `lbctl cluster remove "
                + added.name()
                + "` first if it is gone for good");
      }
      // One IP, one member: the stick table listens on the same port at every member's address.
      if (m.address().getAddress().equals(added.address().getAddress())) {
        throw new ApiException(
            409,
            added.address().getAddress().getHostAddress()
                + " is the address of member '"
                + m.name()
                + "' already");
      }
    }
    if (members.size() >= MAX_MEMBERS) {
      throw new ApiException(409, "the cluster has " + MAX_MEMBERS + " members, its most");
    }
    List<ClusterSettings.Member> next = new ArrayList<>(members);
    next.add(added);
    return config.withMembers(next);
  }

  /**
   * The configuration without {@code name}: out of the member list and of every group's preference.
   *
   * @throws ApiException 404 for a name that is not a member's, 409 when fewer than three would
   *     stay
   */
  public static ReplicatedConfig remove(
      ReplicatedConfig config, List<ClusterSettings.Member> members, String name)
      throws ApiException {
    List<String> names = members.stream().map(ClusterSettings.Member::name).toList();
    if (!names.contains(name)) {
      throw new ApiException(
          404, "'" + name + "' is not a member of this cluster (" + String.join(", ", names) + ")");
    }
    if (members.size() <= 3) {
      throw new ApiException(
          409,
          "the cluster has "
              + members.size()
              + " members; with one fewer no majority would survive a failure (a cluster needs"
              + " three or more): join another node first");
    }
    List<VipGroup> groups = new ArrayList<>();
    for (VipGroup g : config.groups()) {
      groups.add(
          new VipGroup(
              g.name(),
              g.virtualServices(),
              g.floatingIps(),
              g.preference().stream().filter(n -> !n.equals(name)).toList(),
              g.failback()));
    }
    return config
        .withGroups(groups)
        .withMembers(members.stream().filter(m -> !m.name().equals(name)).toList());
  }
}
