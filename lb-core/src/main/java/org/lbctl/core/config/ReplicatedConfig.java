package org.lbctl.core.config;

import java.util.List;
import java.util.Optional;

/**
 * The part of the configuration that a pair shares: virtual services and their real servers.
 * Node-local settings live in {@link NodeConfig}.
 */
public record ReplicatedConfig(List<VirtualService> virtualServices) {
  public static final ReplicatedConfig EMPTY = new ReplicatedConfig(List.of());

  public ReplicatedConfig {
    virtualServices = List.copyOf(virtualServices);
  }

  public Optional<VirtualService> virtualService(String label) {
    return virtualServices.stream().filter(v -> v.label().equals(label)).findFirst();
  }
}
