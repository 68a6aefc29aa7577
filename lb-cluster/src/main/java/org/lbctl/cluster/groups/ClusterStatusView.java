package org.lbctl.cluster.groups;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.status.ClusterStatus;

/** The cluster as {@code lbctl status} shows it, from the group controller's latest snapshot. */
final class ClusterStatusView {
  private ClusterStatusView() {}

  static ClusterStatus of(
      String self,
      List<ClusterSettings.Member> members,
      ReplicatedConfig config,
      GroupSnapshot s,
      boolean leaseRenewed,
      long strangers,
      long[] refused) {
    Map<String, String> holders = new TreeMap<>();
    config.groups().forEach(g -> holders.put(g.name(), "-"));
    for (GroupSnapshot.MemberView m : s.members()) {
      m.groups().forEach(g -> holders.put(g, m.name()));
    }
    return new ClusterStatus(
        self,
        s.quorum(),
        List.copyOf(new TreeSet<>(s.holding())),
        holders.entrySet().stream()
            .map(e -> new ClusterStatus.GroupHolder(e.getKey(), e.getValue()))
            .toList(),
        leaseRenewed,
        s.members().stream()
            .map(
                m ->
                    new ClusterStatus.Member(
                        m.name(),
                        address(members, m.name()),
                        m.inView(),
                        m.heardAgoMillis(),
                        List.copyOf(new TreeSet<>(m.groups())),
                        m.about().configVersion(),
                        m.about().configHash(),
                        m.sameLayout()))
            .toList(),
        strangers,
        refused[0],
        refused[1]);
  }

  private static String address(List<ClusterSettings.Member> members, String member) {
    return members.stream()
        .filter(m -> m.name().equals(member))
        .map(m -> Endpoints.format(m.address()))
        .findFirst()
        .orElse("?");
  }
}
