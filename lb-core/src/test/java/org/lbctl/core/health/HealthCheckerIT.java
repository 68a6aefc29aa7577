package org.lbctl.core.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.balancer.RealServerState;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.testing.BlackHole;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;
import org.lbctl.core.testing.TestClient;

/** Connect and all-ports checks against real servers on loopback, through the running proxy. */
class HealthCheckerIT {
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private final HealthChecker checker = new HealthChecker(engine.transport(), engine::services);
  private final List<AutoCloseable> closeMe = new ArrayList<>();
  private final List<HealthEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    checker.close();
    engine.close();
    for (AutoCloseable c : closeMe) {
      c.close();
    }
  }

  private TestBackend backend(String name, int... ports) {
    TestBackend b = TestBackend.start(name, Mode.NAME_ECHO, ports);
    closeMe.add(b);
    return b;
  }

  private void apply(String yaml) throws Exception {
    ReplicatedConfig c = Configs.yaml(yaml);
    engine.apply(c);
    checker.sync(engine.services().values());
  }

  private RealServerState state(String vip, String server) {
    return engine.service(vip).orElseThrow().backend(server).orElseThrow().state();
  }

  private static String pacs(int vipPort, String check, String servers, String extra) {
    return """
        virtualServices:
          - label: pacs
            address: 127.0.0.1
            ports: [%d]
            healthCheck: %s
            %s
            realServers:
        %s
        """
        .formatted(vipPort, check, extra, servers.indent(6));
  }

  @Test
  void aServerThatStopsIsTakenOutTheFallbackServesAndItReturnsWhenItRecovers() throws Exception {
    int vipPort = Ports.free();
    int serverPort = Ports.free();
    TestBackend server = TestBackend.start("pacs1", Mode.NAME_ECHO, serverPort);
    TestBackend fallback = backend("sorry", 0);
    checker.addListener(events::add);
    apply(
        pacs(
            vipPort,
            "{type: connect, interval: 100ms, timeout: 100ms, rise: 2, fall: 2}",
            "- {label: pacs1, address: 127.0.0.1, port: %d}".formatted(serverPort),
            "fallback: {address: 127.0.0.1, port: %d}".formatted(fallback.port())));
    await().atMost(Duration.ofSeconds(5)).until(() -> checker.last("pacs", "pacs1").isPresent());
    assertThat(state("pacs", "pacs1").healthy()).isTrue();
    assertThat(checker.last("pacs", "pacs1").orElseThrow().detail())
        .startsWith("connected to 127.0.0.1:" + serverPort + " in ");
    assertThat(TestClient.greeting(vipPort)).isEqualTo("pacs1:" + serverPort);

    server.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> !state("pacs", "pacs1").healthy());
    assertThat(TestClient.greeting(vipPort)).isEqualTo("sorry:" + fallback.port());
    HealthEvent down = events.get(events.size() - 1);
    assertThat(down.up()).isFalse();
    assertThat(down.inARow()).isEqualTo(2);
    assertThat(down.result().detail())
        .isEqualTo("connect to 127.0.0.1:" + serverPort + ": connection refused");

    TestBackend back = TestBackend.start("pacs1", Mode.NAME_ECHO, serverPort);
    closeMe.add(back);
    await().atMost(Duration.ofSeconds(5)).until(() -> state("pacs", "pacs1").healthy());
    assertThat(TestClient.greeting(vipPort)).isEqualTo("pacs1:" + serverPort);
    assertThat(events.get(events.size() - 1).up()).isTrue();
    assertThat(events.get(events.size() - 1).inARow()).isEqualTo(2);
  }

  @Test
  void aServerThatNeverAcceptsFailsWithinTheTimeout() throws Exception {
    BlackHole hole = new BlackHole();
    closeMe.add(hole);
    apply(
        pacs(
            Ports.free(),
            "{type: connect, interval: 500ms, timeout: 200ms, rise: 1, fall: 1}",
            "- {label: wedged, address: 127.0.0.1, port: %d}".formatted(hole.port()),
            ""));
    long start = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).until(() -> !state("pacs", "wedged").healthy());
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1500);
    assertThat(checker.last("pacs", "wedged").orElseThrow().detail())
        .isIn("connect to 127.0.0.1:" + hole.port() + ": timed out", "no answer within 200 ms");
    // What it took is kept for the metrics: the whole timeout, not more than a little beyond.
    assertThat(checker.lastTook("pacs", "wedged").orElseThrow())
        .isBetween(Duration.ofMillis(190), Duration.ofMillis(600));
  }

  @Test
  void allPortsNeedsEveryPortOfAMultiPortVip() throws Exception {
    int p1 = Ports.free();
    int p2 = Ports.free();
    int p3 = Ports.free();
    // Port 0 for the server: each VIP port goes to the same port on the server.
    closeMe.add(TestBackend.start("iconnect", Mode.NAME_ECHO, p1, p2));
    apply(
        """
        virtualServices:
          - label: iconnect
            address: 127.0.0.3
            ports: [%d, %d, %d]
            healthCheck: {type: all-ports, interval: 100ms, timeout: 100ms, rise: 1, fall: 1}
            realServers:
              - {label: all, address: 127.0.0.1, port: 0}
        """
            .formatted(p1, p2, p3));
    await().atMost(Duration.ofSeconds(5)).until(() -> checker.last("iconnect", "all").isPresent());
    assertThat(state("iconnect", "all").healthy()).isFalse();
    assertThat(checker.last("iconnect", "all").orElseThrow().detail())
        .isEqualTo("connect to 127.0.0.1:" + p3 + ": connection refused");

    closeMe.add(TestBackend.start("iconnect", Mode.NAME_ECHO, p3));
    await().atMost(Duration.ofSeconds(5)).until(() -> state("iconnect", "all").healthy());
    assertThat(checker.last("iconnect", "all").orElseThrow().detail())
        .startsWith("connected to all ports [" + p1 + ", " + p2 + ", " + p3 + "]");
  }

  @Test
  void aCheckPortIsCheckedInsteadOfTheServersPortAndRemovingTheCheckBringsTheServerUp()
      throws Exception {
    int checkPort = Ports.free();
    int closedPort = Ports.free();
    String yaml =
        pacs(
            Ports.free(),
            "{type: connect, interval: 100ms, timeout: 100ms, rise: 1, fall: 1, port: %d}"
                .formatted(checkPort),
            "- {label: pacs1, address: 127.0.0.1, port: %d}".formatted(closedPort),
            "");
    apply(yaml);
    await().atMost(Duration.ofSeconds(5)).until(() -> checker.last("pacs", "pacs1").isPresent());
    assertThat(state("pacs", "pacs1").healthy()).isFalse();
    assertThat(checker.last("pacs", "pacs1").orElseThrow().detail())
        .contains(":" + checkPort + ":");

    closeMe.add(TestBackend.start("agent", Mode.NAME_ECHO, checkPort));
    await().atMost(Duration.ofSeconds(5)).until(() -> state("pacs", "pacs1").healthy());

    // The same server with the check port gone, its own port closed: down again, and then with
    // no check at all it counts as up.
    apply(yaml.replace(", port: %d}".formatted(checkPort), "}"));
    await().atMost(Duration.ofSeconds(5)).until(() -> !state("pacs", "pacs1").healthy());
    apply(yaml.replaceFirst("healthCheck: \\{[^}]*\\}", "healthCheck: {type: none}"));
    assertThat(state("pacs", "pacs1").healthy()).isTrue();
    assertThat(checker.last("pacs", "pacs1")).isEmpty();
  }

  /**
   * iConnect: one real server (the primary cluster) and a fallback that is the secondary cluster,
   * both on the VIP's seven ports; ten failed all-ports checks move every port to the fallback,
   * recovery brings them back, and a halt moves them by hand.
   */
  @Test
  void iconnectFallsBackOnAllSevenPortsAfterTenFailuresAndOnHalt() throws Exception {
    int[] ports = Ports.distinct(7);
    TestBackend primary = TestBackend.startOn("127.0.0.2", "primary", Mode.NAME_ECHO, 0, ports);
    closeMe.add(TestBackend.startOn("127.0.0.1", "secondary", Mode.NAME_ECHO, 0, ports));
    checker.addListener(events::add);
    apply(
        """
        virtualServices:
          - label: iconnect
            address: 127.0.0.3
            ports: %s
            scheduler: first
            healthCheck: {type: all-ports, interval: 100ms, timeout: 100ms, rise: 1, fall: 10}
            fallback: {address: 127.0.0.1, port: 0}
            realServers: [{label: primary-cluster, address: 127.0.0.2, port: 0}]
        """
            .formatted(java.util.Arrays.toString(ports)));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> checker.last("iconnect", "primary-cluster").isPresent());
    for (int p : ports) {
      assertThat(greeting(p)).isEqualTo("primary:" + p);
    }

    primary.close();
    long stopped = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !state("iconnect", "primary-cluster").healthy());
    // Ten checks 100 ms apart: not before about a second.
    assertThat((System.nanoTime() - stopped) / 1_000_000).isGreaterThanOrEqualTo(800);
    assertThat(events.get(events.size() - 1).inARow()).isEqualTo(10);
    for (int p : ports) {
      assertThat(greeting(p)).isEqualTo("secondary:" + p);
    }

    TestBackend back = TestBackend.startOn("127.0.0.2", "primary", Mode.NAME_ECHO, 0, ports);
    closeMe.add(back);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> state("iconnect", "primary-cluster").healthy());
    assertThat(greeting(ports[6])).isEqualTo("primary:" + ports[6]);

    // Manual failover: Halt the primary cluster.
    state("iconnect", "primary-cluster").setAdminState(org.lbctl.core.balancer.AdminState.HALT);
    for (int p : ports) {
      assertThat(greeting(p)).isEqualTo("secondary:" + p);
    }
  }

  private static String greeting(int port) throws Exception {
    try (TestClient c = TestClient.connect("127.0.0.3", port)) {
      return c.readLine();
    }
  }
}
