package org.lbctl.cluster.node;

import java.io.IOException;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.l4.Forwarding;
import org.lbctl.core.l4.L4Ruleset;
import org.lbctl.core.os.TransparentRouting;
import org.lbctl.core.proxy.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's forwarding and transparent routing (nftables, ip rule) for the running
 * configuration: set up before a configuration that needs them runs, removed when none does.
 */
final class KernelRouting implements ConfigInstaller.Routing {
  private static final Logger log = LoggerFactory.getLogger(KernelRouting.class);

  private final Transport transport;
  private volatile boolean transparentInstalled;

  KernelRouting(Transport transport) {
    this.transport = transport;
  }

  @Override
  public List<ConfigProblem> prepare(ReplicatedConfig config) {
    List<ConfigProblem> problems = new ArrayList<>(transparentRouting(config));
    problems.addAll(kernelForwarding(config));
    return problems;
  }

  @Override
  public void follow(ReplicatedConfig config) {
    if (transparentInstalled && config.virtualServices().stream().noneMatch(v -> v.transparent())) {
      removeTransparentRouting();
    }
  }

  /** Removes transparent routing when this node set it up. */
  void close() {
    if (transparentInstalled) {
      removeTransparentRouting();
    }
  }

  /** Layer 4 NAT needs the kernel to forward: turned on before such a configuration runs. */
  private static List<ConfigProblem> kernelForwarding(ReplicatedConfig config) {
    List<VirtualService> vips = config.virtualServices();
    List<ConfigProblem> problems = new ArrayList<>();
    for (boolean v6 : new boolean[] {false, true}) {
      for (int i = 0; i < vips.size(); i++) {
        VirtualService v = vips.get(i);
        // DR forwards in the netdev hook, before routing: only NAT and SNAT need the kernel to
        // route (and IPv6 forwarding stops a host from taking router advertisements).
        if (L4Ruleset.carries(v)
            && v.mode() != org.lbctl.core.config.ForwardingMode.DR
            && (IpLiterals.parse(v.address()) instanceof Inet6Address) == v6) {
          String path = "virtualServices[" + i + "].mode";
          Forwarding.ensure(v6).ifPresent(why -> problems.add(new ConfigProblem(path, why)));
          break;
        }
      }
    }
    return problems;
  }

  /** Sets transparent routing up before a configuration with transparent VIPs runs. */
  private List<ConfigProblem> transparentRouting(ReplicatedConfig config) {
    List<VirtualService> vips = config.virtualServices();
    for (int i = 0; i < vips.size(); i++) {
      if (!vips.get(i).transparent()) {
        continue;
      }
      if (transport != Transport.EPOLL) {
        return List.of(
            new ConfigProblem(
                "virtualServices[" + i + "].transparent",
                "needs the epoll transport (IP_TRANSPARENT), this node runs "
                    + transport.name().toLowerCase(java.util.Locale.ROOT)));
      }
      try {
        TransparentRouting.install();
        if (!transparentInstalled) {
          log.info(
              "transparent routing set up: nftables table inet lbctl_transparent marks packets of"
                  + " transparent sockets 0x{}, ip rule fwmark -> table {} (local)",
              Integer.toHexString(TransparentRouting.MARK),
              TransparentRouting.TABLE);
        }
        transparentInstalled = true;
        return List.of();
      } catch (IOException e) {
        return List.of(
            new ConfigProblem(
                "virtualServices[" + i + "].transparent",
                "cannot set up transparent routing (needs CAP_NET_ADMIN and nft): "
                    + e.getMessage()));
      }
    }
    return List.of();
  }

  private void removeTransparentRouting() {
    try {
      TransparentRouting.remove();
      transparentInstalled = false;
      log.info("transparent routing removed: no transparent virtual service left");
    } catch (IOException e) {
      log.warn("cannot remove transparent routing: {}", e.getMessage());
    }
  }
}
