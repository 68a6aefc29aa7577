package org.lbctl.core.config;

import java.util.List;

/**
 * Virtual services and floating IPs that move together from node to node. Every node computes the
 * same owner for each group from the cluster's view, so groups spread over the live nodes.
 *
 * @param name unique among the groups
 * @param virtualServices labels of the virtual services whose addresses the group carries; services
 *     sharing an address are in the same group
 * @param floatingIps extra floating IPs (of {@code floatingIps}) the group carries, as written
 *     there
 * @param preference node names: the first live one owns the group; empty: spread by hashing
 * @param failback whether the group moves back to a node it prefers when that node returns
 */
public record VipGroup(
    String name,
    List<String> virtualServices,
    List<String> floatingIps,
    List<String> preference,
    boolean failback) {
  public VipGroup {
    virtualServices = List.copyOf(virtualServices);
    floatingIps = List.copyOf(floatingIps);
    preference = List.copyOf(preference);
  }
}
