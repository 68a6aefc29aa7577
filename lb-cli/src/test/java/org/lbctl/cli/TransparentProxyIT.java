package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.testing.NamespaceLab;
import org.lbctl.core.testing.Nginx;

/**
 * Transparent virtual services in a namespace lab: the real server, whose default route is the load
 * balancer, sees the client's own address, in TCP mode and in HTTP mode; a plain VIP beside them
 * shows the load balancer's.
 */
class TransparentProxyIT {
  @TempDir Path dir;
  private LoneNodeLab node;
  private NamespaceLab lab;
  private Nginx rs;

  @BeforeEach
  void lab() throws Exception {
    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("client", "10.99.0.10/24");
    hosts.put("lb", "10.99.0.11/24");
    hosts.put("rs", "10.99.1.21/24");
    node = LoneNodeLab.create(dir, hosts);
    lab = node.lab();
    // The real server's network is behind the load balancer, its way back to clients too.
    assertThat(lab.exec("lb", "ip", "addr", "add", "10.99.1.1/24", "dev", "eth0").ok()).isTrue();
    assertThat(lab.exec("lb", "ip", "addr", "add", "10.99.0.100/32", "dev", "eth0").ok()).isTrue();
    assertThat(lab.exec("rs", "ip", "route", "add", "default", "via", "10.99.1.1").ok()).isTrue();
    // The same over IPv6 (nodad: the addresses are usable at once).
    v6("client", "fd99::10/64");
    v6("lb", "fd99::11/64");
    v6("lb", "fd99::100/128");
    v6("lb", "fd99:1::1/64");
    v6("rs", "fd99:1::21/64");
    assertThat(lab.exec("rs", "ip", "-6", "route", "add", "default", "via", "fd99:1::1").ok())
        .isTrue();
    rs = node.nginx("rs", "8080; listen [::]:8080", 8080, "http://10.99.1.21:8080/");
    // Warm the IPv6 neighbour caches both ways: a cold first transparent connection waits for
    // neighbour discovery's retransmit (1 s) on each side, longer than the client's 2 s.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                lab.exec("lb", "ping", "-6", "-c", "1", "-W", "1", "fd99:1::21").ok()
                    && lab.exec("rs", "ping", "-6", "-c", "1", "-W", "1", "fd99:1::1").ok());
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private void v6(String host, String cidr) throws Exception {
    assertThat(lab.exec(host, "ip", "addr", "add", cidr, "dev", "eth0", "nodad").ok()).isTrue();
  }

  private String curl(int port) throws Exception {
    return curl("10.99.0.100", port);
  }

  private String curl(String vip, int port) throws Exception {
    var r =
        lab.exec("client", "curl", "-gs", "--max-time", "2", "http://" + vip + ":" + port + "/");
    if (!r.ok()) {
      // Kept for the report: a failed curl's own words say which step failed.
      System.err.println("curl " + vip + ":" + port + ": " + r.describe());
    }
    return r.ok() ? r.output().strip() : "";
  }

  @Test
  void realServersSeeTheClientsAddressAndTheRoutingGoesWithTheNode() throws Exception {
    node.startNode(
        """
        virtualServices:
          - {label: tcp-transparent, address: 10.99.0.100, ports: [80], transparent: true,
             realServers: [{label: rs, address: 10.99.1.21, port: 8080}]}
          - {label: http-transparent, address: 10.99.0.100, ports: [81], protocol: http,
             transparent: true, realServers: [{label: rs, address: 10.99.1.21, port: 8080}]}
          - {label: plain, address: 10.99.0.100, ports: [82],
             realServers: [{label: rs, address: 10.99.1.21, port: 8080}]}
          - {label: tcp-transparent6, address: "fd99::100", ports: [80], transparent: true,
             realServers: [{label: rs, address: "fd99:1::21", port: 8080}]}
        """);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> curl(82).equals("rs"));
    assertThat(rs.lastClient()).isEqualTo("10.99.1.1");

    assertThat(curl(80)).isEqualTo("rs");
    assertThat(rs.lastClient()).as("TCP mode").isEqualTo("10.99.0.10");
    assertThat(curl(81)).isEqualTo("rs");
    assertThat(rs.lastClient()).as("HTTP mode").isEqualTo("10.99.0.10");
    assertThat(curl("[fd99::100]", 80)).isEqualTo("rs");
    assertThat(rs.lastClient()).as("IPv6").isEqualTo("fd99::10");
    assertThat(node.log()).contains("transparent routing set up");

    // A clean stop takes the routing with it.
    assertThat(lab.exec("lb", "nft", "list", "table", "inet", "lbctl_transparent").ok()).isTrue();
    assertThat(node.stopNode()).isTrue();
    assertThat(lab.exec("lb", "nft", "list", "table", "inet", "lbctl_transparent").ok()).isFalse();
    assertThat(lab.exec("lb", "ip", "rule", "show").output()).doesNotContain("lookup 6694");
    assertThat(lab.exec("lb", "ip", "-6", "rule", "show").output()).doesNotContain("lookup 6694");
  }

  /**
   * A SIGTERM while the node is still starting (here: right after it set transparent routing up,
   * while it binds and makes its management certificate) stops it all the same: nothing of the
   * routing stays behind. It did stay when the stop hook came only after the start.
   */
  @Test
  void aStopDuringTheStartStillTakesTheRoutingWithIt() throws Exception {
    node.startNode(
        """
        virtualServices:
          - {label: tcp-transparent, address: 10.99.0.100, ports: [80], transparent: true,
             realServers: [{label: rs, address: 10.99.1.21, port: 8080}]}
        """);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> node.log().contains("transparent routing set up"));
    assertThat(node.stopNode()).isTrue();
    assertThat(lab.exec("lb", "nft", "list", "table", "inet", "lbctl_transparent").ok()).isFalse();
    assertThat(lab.exec("lb", "ip", "rule", "show").output()).doesNotContain("lookup 6694");
  }
}
