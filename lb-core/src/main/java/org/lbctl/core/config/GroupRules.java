package org.lbctl.core.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lbctl.core.audit.LogText;

/**
 * What makes VIP groups unambiguous: unique names; every floating address in exactly one group (an
 * address cannot live on two nodes), which puts services that share an address in the same group;
 * names of services, floating IPs and nodes that exist and appear once.
 */
final class GroupRules {
  private final Problems problems;

  GroupRules(Problems problems) {
    this.problems = problems;
  }

  void check(ReplicatedConfig config) {
    List<VipGroup> groups = config.groups();
    if (groups.isEmpty()) {
      return;
    }
    // Each floating address, and each extra floating IP, to the group that first named it.
    Map<String, String> addressGroup = new HashMap<>();
    Map<String, String> serviceGroup = new HashMap<>();
    Map<String, String> groupNames = new HashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      VipGroup g = groups.get(i);
      String path = "groups[" + i + "]";
      if (!g.name().isEmpty() && !ConfigReader.LABEL.matcher(g.name()).matches()) {
        problems.add(
            path + ".name",
            "'"
                + LogText.safe(g.name(), LogText.NAME)
                + "' is not a valid name (letters, digits, _ . -)");
      } else if (groupNames.putIfAbsent(g.name(), path) != null) {
        problems.add(path + ".name", "'" + g.name() + "' is used twice");
      }
      services(config, g, path, serviceGroup, addressGroup);
      extraIps(config, g, path, addressGroup);
      preference(config, g, path);
    }
    everyAddressPlaced(config, addressGroup);
  }

  private void services(
      ReplicatedConfig config,
      VipGroup g,
      String path,
      Map<String, String> serviceGroup,
      Map<String, String> addressGroup) {
    for (int j = 0; j < g.virtualServices().size(); j++) {
      String label = g.virtualServices().get(j);
      String p = path + ".virtualServices[" + j + "]";
      Optional<VirtualService> vip = config.virtualService(label);
      if (vip.isEmpty()) {
        problems.add(
            p,
            "'"
                + LogText.safe(label, LogText.NAME)
                + "' is not a virtual service here (known: "
                + config.virtualServices().stream().map(VirtualService::label).toList()
                + ")");
        continue;
      }
      String before = serviceGroup.putIfAbsent(label, g.name());
      if (before != null) {
        problems.add(p, "'" + label + "' is already in group '" + before + "'");
        continue;
      }
      if (!FloatingIp.floats(vip.get().address())) {
        problems.add(
            p,
            "'"
                + label
                + "' listens on "
                + vip.get().address()
                + ", which never floats: it serves on every node and belongs to no group");
        continue;
      }
      String owner = addressGroup.putIfAbsent(canonical(vip.get().address()), g.name());
      if (owner != null && !owner.equals(g.name())) {
        problems.add(
            p,
            "'"
                + label
                + "' shares its address "
                + vip.get().address()
                + " with a service of group '"
                + owner
                + "': an address lives on one node, so they belong to one group");
      }
    }
  }

  private void extraIps(
      ReplicatedConfig config, VipGroup g, String path, Map<String, String> addressGroup) {
    for (int j = 0; j < g.floatingIps().size(); j++) {
      String written = g.floatingIps().get(j);
      String p = path + ".floatingIps[" + j + "]";
      Optional<FloatingIp> ip = config.floatingIp(written);
      if (ip.isEmpty()) {
        problems.add(
            p,
            "'"
                + LogText.safe(written, LogText.NAME)
                + "' is not in floatingIps "
                + config.floatingIps().stream().map(FloatingIp::cidr).toList());
        continue;
      }
      String owner = addressGroup.putIfAbsent(canonical(ip.get().address()), g.name());
      if (owner != null && !owner.equals(g.name())) {
        problems.add(p, ip.get().cidr() + " is already in group '" + owner + "'");
      }
    }
  }

  private void preference(ReplicatedConfig config, VipGroup g, String path) {
    List<String> members = config.members().stream().map(ClusterSettings.Member::name).toList();
    for (int j = 0; j < g.preference().size(); j++) {
      String node = g.preference().get(j);
      String p = path + ".preference[" + j + "]";
      if (!ConfigReader.LABEL.matcher(node).matches()) {
        problems.add(p, "'" + LogText.safe(node, LogText.NAME) + "' is not a valid node name");
      } else if (g.preference().indexOf(node) != j) {
        problems.add(p, "'" + node + "' is listed twice");
      } else if (!members.isEmpty() && !members.contains(node)) {
        problems.add(p, "'" + node + "' is not among the members " + members);
      }
    }
  }

  /** With groups, a floating address in no group would have no owner: refused, by name. */
  private void everyAddressPlaced(ReplicatedConfig config, Map<String, String> addressGroup) {
    List<VirtualService> vips = config.virtualServices();
    for (int i = 0; i < vips.size(); i++) {
      VirtualService v = vips.get(i);
      if (FloatingIp.floats(v.address()) && !addressGroup.containsKey(canonical(v.address()))) {
        problems.add(
            "virtualServices[" + i + "]",
            "'"
                + v.label()
                + "' ("
                + v.address()
                + ") is in no group: with groups, every floating address belongs to one");
      }
    }
    for (int i = 0; i < config.floatingIps().size(); i++) {
      FloatingIp f = config.floatingIps().get(i);
      if (!addressGroup.containsKey(canonical(f.address()))) {
        problems.add(
            "floatingIps[" + i + "]",
            f.cidr() + " is in no group: with groups, every floating address belongs to one");
      }
    }
  }

  /** One spelling per address, so {@code fd99::1} and {@code fd99:0::1} are the same one. */
  private static String canonical(String address) {
    try {
      return IpLiterals.parse(address).getHostAddress();
    } catch (RuntimeException e) {
      return address; // A bad address is reported where it is written.
    }
  }
}
