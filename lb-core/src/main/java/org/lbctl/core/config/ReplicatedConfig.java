package org.lbctl.core.config;

import java.util.List;
import java.util.Optional;

/**
 * The part of the configuration that a pair shares: virtual services and their real servers, and
 * the extra floating IPs. Node-local settings live in {@link NodeConfig}.
 *
 * @param floatingIps addresses that move with the active node besides the virtual services' own,
 *     such as the real servers' default gateway in NAT mode
 * @param alerts email alerts; empty: none are sent
 * @param certificates certificates the node presents, by name
 * @param caFamilies certificate authorities, by name
 * @param groups VIP groups that move between nodes independently; empty: everything moves as one
 * @param members a cluster's members, kept here so that joining and leaving reach every member as a
 *     configuration version; empty: the node file's {@code cluster.members} (or no cluster)
 */
public record ReplicatedConfig(
    List<VirtualService> virtualServices,
    List<FloatingIp> floatingIps,
    java.util.Optional<Alerts> alerts,
    List<NamedCertificate> certificates,
    List<CaFamily> caFamilies,
    List<VipGroup> groups,
    List<ClusterSettings.Member> members) {
  public static final ReplicatedConfig EMPTY =
      new ReplicatedConfig(
          List.of(), List.of(), java.util.Optional.empty(), List.of(), List.of(), List.of());

  public ReplicatedConfig {
    virtualServices = List.copyOf(virtualServices);
    floatingIps = List.copyOf(floatingIps);
    java.util.Objects.requireNonNull(alerts, "alerts");
    certificates = List.copyOf(certificates);
    caFamilies = List.copyOf(caFamilies);
    groups = List.copyOf(groups);
    members = List.copyOf(members);
  }

  /** Without a member list: a cluster's members come from the node file. */
  public ReplicatedConfig(
      List<VirtualService> virtualServices,
      List<FloatingIp> floatingIps,
      java.util.Optional<Alerts> alerts,
      List<NamedCertificate> certificates,
      List<CaFamily> caFamilies,
      List<VipGroup> groups) {
    this(virtualServices, floatingIps, alerts, certificates, caFamilies, groups, List.of());
  }

  /** This configuration with {@code next} as its VIP groups. */
  public ReplicatedConfig withGroups(List<VipGroup> next) {
    return new ReplicatedConfig(
        virtualServices, floatingIps, alerts, certificates, caFamilies, next, members);
  }

  /** This configuration with {@code next} as its member list. */
  public ReplicatedConfig withMembers(List<ClusterSettings.Member> next) {
    return new ReplicatedConfig(
        virtualServices, floatingIps, alerts, certificates, caFamilies, groups, next);
  }

  /** Without VIP groups, as a pair's configuration is. */
  public ReplicatedConfig(
      List<VirtualService> virtualServices,
      List<FloatingIp> floatingIps,
      java.util.Optional<Alerts> alerts,
      List<NamedCertificate> certificates,
      List<CaFamily> caFamilies) {
    this(virtualServices, floatingIps, alerts, certificates, caFamilies, List.of());
  }

  public ReplicatedConfig(List<VirtualService> virtualServices) {
    this(virtualServices, List.of(), java.util.Optional.empty(), List.of(), List.of(), List.of());
  }

  public java.util.Optional<NamedCertificate> certificate(String name) {
    return certificates.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  public java.util.Optional<CaFamily> caFamily(String name) {
    return caFamilies.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * Every address the active node must hold: each virtual service's (as a host address) and the
   * extra floating IPs. Wildcard and loopback addresses never float.
   */
  public List<FloatingIp> allFloatingIps() {
    java.util.LinkedHashMap<String, FloatingIp> all = new java.util.LinkedHashMap<>();
    for (VirtualService v : virtualServices) {
      if (FloatingIp.floats(v.address())) {
        all.putIfAbsent(v.address(), FloatingIp.parse(v.address()).orElseThrow());
      }
    }
    for (FloatingIp f : floatingIps) {
      all.put(f.address(), f);
    }
    return List.copyOf(all.values());
  }

  /** The extra floating IP written {@code written} (with its prefix or without). */
  public Optional<FloatingIp> floatingIp(String written) {
    return floatingIps.stream()
        .filter(f -> f.cidr().equals(written) || f.address().equals(written))
        .findFirst();
  }

  /**
   * The addresses {@code group} carries: its services' own (as host routes) and its extra floating
   * IPs, each once.
   */
  public List<FloatingIp> addresses(VipGroup group) {
    java.util.LinkedHashMap<String, FloatingIp> out = new java.util.LinkedHashMap<>();
    for (String label : group.virtualServices()) {
      virtualService(label)
          .filter(v -> FloatingIp.floats(v.address()))
          .flatMap(v -> FloatingIp.parse(v.address()))
          .ifPresent(f -> out.putIfAbsent(f.address(), f));
    }
    for (String written : group.floatingIps()) {
      floatingIp(written).ifPresent(f -> out.putIfAbsent(f.address(), f));
    }
    return List.copyOf(out.values());
  }

  public Optional<VirtualService> virtualService(String label) {
    return virtualServices.stream().filter(v -> v.label().equals(label)).findFirst();
  }
}
