package org.lbctl.cluster.groups;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.core.config.FloatingIp;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VipGroup;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.proxy.Served;

/**
 * A VIP group's listeners, layer 4 rules and addresses on this node. Taking one opens its virtual
 * services' listeners and puts their kernel rules in, then adds and announces its addresses.
 * Releasing one removes the addresses first, so no client reaches this node for it, then closes the
 * listeners and takes the rules out. Virtual services on addresses that never float (loopback,
 * wildcard) belong to no group and are served all along.
 */
public final class NodeGroupHost implements GroupHost {
  private final Supplier<ReplicatedConfig> config;
  private final ProxyEngine engine;
  private final FloatingIpOwner owner;
  private final Runnable kernelRules;
  // Called from the group controller's one thread. What each held group was given when taken:
  // released as taken, even if a reload changed or removed the group since.
  private final java.util.Map<String, List<FloatingIp>> heldAddresses = new java.util.TreeMap<>();
  private final java.util.Map<String, List<String>> heldServices = new java.util.TreeMap<>();

  public NodeGroupHost(
      Supplier<ReplicatedConfig> config,
      ProxyEngine engine,
      FloatingIpOwner owner,
      Runnable kernelRules) {
    this.config = config;
    this.engine = engine;
    this.owner = owner;
    this.kernelRules = kernelRules;
  }

  /** Serves the virtual services on addresses that never float, and nothing else yet. */
  public void start() throws org.lbctl.core.config.ConfigException {
    engine.serve(served());
    kernelRules.run();
  }

  @Override
  public List<FloatingIp> guarded() {
    return config.get().allFloatingIps();
  }

  @Override
  public void take(String name) throws Exception {
    VipGroup group = group(name);
    List<FloatingIp> ips = config.get().addresses(group);
    heldServices.put(name, group.virtualServices());
    try {
      engine.serve(served());
      // Its layer 4 rules in place before its addresses answer.
      kernelRules.run();
      // The lease runs for every floating address already (GroupLease): no renewal here.
      owner.claim(ips);
      heldAddresses.put(name, ips);
    } catch (Exception e) {
      heldServices.remove(name);
      engine.serve(served());
      kernelRules.run();
      throw e;
    }
  }

  @Override
  public void release(String name) throws Exception {
    List<FloatingIp> ips = heldAddresses.get(name);
    if (ips == null) {
      return; // never taken here
    }
    // Addresses first: if removing them fails, the group stays held (its listeners too).
    owner.release(ips);
    heldAddresses.remove(name);
    heldServices.remove(name);
    engine.serve(served());
    kernelRules.run();
  }

  @Override
  public void announce(String name) {
    List<FloatingIp> ips = heldAddresses.get(name);
    if (ips != null) {
      owner.announce(ips);
    }
  }

  @Override
  public boolean changed(String name) {
    List<FloatingIp> was = heldAddresses.get(name);
    if (was == null) {
      return false;
    }
    ReplicatedConfig c = config.get();
    return c.groups().stream()
        .filter(g -> g.name().equals(name))
        .findFirst()
        .map(g -> !java.util.Set.copyOf(c.addresses(g)).equals(java.util.Set.copyOf(was)))
        .orElse(true);
  }

  /** The held groups' services follow the configuration; their addresses are unchanged. */
  @Override
  public void refresh() throws Exception {
    ReplicatedConfig c = config.get();
    for (VipGroup g : c.groups()) {
      if (heldServices.containsKey(g.name())) {
        heldServices.put(g.name(), g.virtualServices());
      }
    }
    engine.serve(served());
    kernelRules.run();
  }

  private VipGroup group(String name) {
    return config.get().groups().stream()
        .filter(g -> g.name().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("no group '" + name + "' in the configuration"));
  }

  /** The held groups' virtual services, and every service on an address that never floats. */
  private Served served() {
    ReplicatedConfig c = config.get();
    Set<String> labels = new LinkedHashSet<>();
    heldServices.values().forEach(labels::addAll);
    for (VirtualService v : c.virtualServices()) {
      if (!FloatingIp.floats(v.address())) {
        labels.add(v.label());
      }
    }
    return Served.only(labels);
  }
}
