package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.os.Commands;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.proxy.Served;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.testing.NamespaceLab;
import org.lbctl.core.testing.Ports;

/**
 * A node takes and releases VIP groups: the group's listeners (here, in the test's own network
 * namespace, bound with IP_FREEBIND) and its addresses on the node's interface (in a lab namespace,
 * reached from a client namespace).
 */
class NodeGroupHostIT {
  private NamespaceLab lab;
  private FloatingIpOwner owner;
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private final int pacsPort = Ports.free();
  private final int webPort = Ports.free();
  private final int localPort = Ports.free();
  private ReplicatedConfig config;

  @BeforeEach
  void lab() throws Exception {
    lab = NamespaceLab.create(Map.of("client", "10.99.0.10/24", "lb1", "10.99.0.11/24"));
    owner = new FloatingIpOwner("eth0", lab.execPrefix("lb1"));
    config =
        ConfigLoader.parse(
            """
            floatingIps: [10.99.1.1/24]
            virtualServices:
              - {label: pacs, address: 10.99.0.100, ports: [%d],
                 realServers: [{label: p, address: 127.0.0.1, port: 1}]}
              - {label: web, address: 10.99.0.101, ports: [%d],
                 realServers: [{label: w, address: 127.0.0.1, port: 1}]}
              - {label: local, address: 127.0.0.1, ports: [%d],
                 realServers: [{label: l, address: 127.0.0.1, port: 1}]}
            groups:
              - {name: imaging, virtualServices: [pacs], floatingIps: [10.99.1.1/24]}
              - {name: portal, virtualServices: [web]}
            """
                .formatted(pacsPort, webPort, localPort));
    engine.apply(config);
    engine.serve(Served.NONE);
  }

  @AfterEach
  void close() {
    engine.close();
    owner.close();
    lab.close();
  }

  private boolean listening(int port) throws IOException {
    Commands.Result r =
        Commands.run(
            java.time.Duration.ofSeconds(5), java.util.List.of("ss", "-ltnH", "sport = :" + port));
    return r.ok() && !r.output().isBlank();
  }

  @Test
  void aGroupsListenersAndAddressesComeAndGoTogether() throws Exception {
    NodeGroupHost host = new NodeGroupHost(() -> config, engine, owner, () -> {});

    host.take("imaging");
    assertThat(owner.held()).contains("10.99.0.100/32", "10.99.1.1/24");
    assertThat(owner.held()).doesNotContain("10.99.0.101/32");
    assertThat(listening(pacsPort)).isTrue();
    assertThat(listening(webPort)).isFalse();
    assertThat(listening(localPort)).as("a service that never floats").isTrue();
    assertThat(lab.exec("client", "ping", "-c", "1", "-W", "1", "10.99.0.100").ok()).isTrue();

    host.take("portal");
    host.release("imaging");
    assertThat(owner.held())
        .contains("10.99.0.101/32")
        .doesNotContain("10.99.0.100/32", "10.99.1.1/24");
    assertThat(listening(pacsPort)).isFalse();
    assertThat(listening(webPort)).isTrue();
    assertThat(lab.exec("client", "ping", "-c", "1", "-W", "1", "10.99.0.100").ok()).isFalse();
  }

  @Test
  void aGroupTheConfigurationDoesNotHaveIsRefusedByName() {
    NodeGroupHost host = new NodeGroupHost(() -> config, engine, owner, () -> {});
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> host.take("radiology"))
        .hasMessage("no group 'radiology' in the configuration");
  }
}
