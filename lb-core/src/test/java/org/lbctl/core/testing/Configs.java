package org.lbctl.core.testing;

import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ReplicatedConfig;

/** Configurations for tests, written as an operator would write them. */
public final class Configs {
  private Configs() {}

  /** One HTTP-mode virtual service on 127.0.0.1:{@code port} in front of one real server rs1. */
  public static ReplicatedConfig httpVip(String label, int port, int serverPort) {
    return httpVip(label, port, serverPort, "");
  }

  /** As {@link #httpVip(String, int, int)}, with one more line of the VIP's settings. */
  public static ReplicatedConfig httpVip(String label, int port, int serverPort, String setting) {
    return yaml(
        """
        virtualServices:
          - label: %s
            address: 127.0.0.1
            ports: [%d]
            protocol: http
            %s
            realServers:
              - {label: rs1, address: 127.0.0.1, port: %d}
        """
            .formatted(label, port, setting, serverPort));
  }

  public static ReplicatedConfig yaml(String text) {
    try {
      return ConfigLoader.parse(text);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
