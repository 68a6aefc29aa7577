package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.Configs;

class ConfigHashTest {
  private static ReplicatedConfig pacs(String servers, String scheduler) {
    return Configs.yaml(
        """
        virtualServices:
          - label: pacs
            address: 127.0.0.1
            ports: [104]
            scheduler: %s
            realServers:
        %s
        """
            .formatted(scheduler, servers.indent(6)));
  }

  private static final String TWO =
      """
      - {label: pacs1, address: 10.0.0.1, port: 104}
      - {label: pacs2, address: 10.0.0.2, port: 104, weight: 3}
      """;

  @Test
  void theRealServerDigestIgnoresSettingsThatDoNotNameAServer() {
    String base = ConfigHash.realServers(pacs(TWO, "first"));
    String reordered =
        """
        - {label: pacs2, address: 10.0.0.2, port: 104}
        - {label: pacs1, address: 10.0.0.1, port: 104}
        """;
    assertThat(ConfigHash.realServers(pacs(reordered, "weighted-round-robin"))).isEqualTo(base);
    assertThat(ConfigHash.of(pacs(reordered, "weighted-round-robin")))
        .isNotEqualTo(ConfigHash.of(pacs(TWO, "first")));
  }

  @Test
  void theRealServerDigestChangesWithALabelAnAddressOrAPort() {
    String base = ConfigHash.realServers(pacs(TWO, "first"));
    assertThat(ConfigHash.realServers(pacs(TWO.replace("pacs2", "pacs3"), "first")))
        .isNotEqualTo(base);
    assertThat(ConfigHash.realServers(pacs(TWO.replace("10.0.0.2", "10.0.0.3"), "first")))
        .isNotEqualTo(base);
    assertThat(
            ConfigHash.realServers(
                pacs(TWO.replace("port: 104, weight", "port: 11112, weight"), "first")))
        .isNotEqualTo(base);
  }
}
