package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.lbctl.core.testing.BlackHole;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.PatternBytes;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;
import org.lbctl.core.testing.TestClient;

/** The byte proxy against real backends on loopback; run once per transport. */
abstract class AbstractProxyEngineIT {
  private static final long GIB = 1L << 30;

  private ProxyEngine engine;
  private final List<AutoCloseable> closeMe = new ArrayList<>();

  abstract Transport transport();

  @BeforeEach
  void startEngine() {
    engine = new ProxyEngine(transport(), 2);
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    for (AutoCloseable c : closeMe) {
      c.close();
    }
  }

  private TestBackend backend(String name, Mode mode, int... ports) {
    TestBackend b = TestBackend.start(name, mode, ports);
    closeMe.add(b);
    return b;
  }

  private VirtualServiceRuntime vip(String label) {
    return engine.service(label).orElseThrow();
  }

  /** A real server on loopback, as a YAML flow mapping. */
  private static String rs(String label, int port) {
    return "{label: %s, address: 127.0.0.1, port: %d}".formatted(label, port);
  }

  private static String vipYaml(int port, String scheduler, String extra, String... rs) {
    StringBuilder y =
        new StringBuilder(
            """
            virtualServices:
              - label: web
                address: 127.0.0.1
                ports: [%d]
                scheduler: %s
            """
                .formatted(port, scheduler));
    for (String line : extra.split("\n")) {
      if (!line.isBlank()) {
        y.append("    ").append(line).append('\n');
      }
    }
    y.append("    realServers:").append(rs.length == 0 ? " []\n" : "\n");
    for (String r : rs) {
      y.append("      - ").append(r).append('\n');
    }
    return y.toString();
  }

  @Test
  void sourceIpPersistenceKeepsEachClientAddressOnItsServerUntilItsServerIsHalted()
      throws Exception {
    int port = Ports.free();
    TestBackend a = backend("a", Mode.NAME_ECHO, 0);
    TestBackend b = backend("b", Mode.NAME_ECHO, 0);
    engine.apply(
        Configs.yaml(
            vipYaml(
                port,
                "weighted-round-robin",
                "persistence: {mode: source-ip, timeout: 60m}",
                rs("a", a.port(0)),
                rs("b", b.port(0)))));
    java.util.Map<String, String> home = new java.util.HashMap<>();
    for (int i = 1; i <= 20; i++) {
      home.put("127.0.0." + i, TestClient.greetingFrom("127.0.0." + i, port));
    }
    assertThat(home.values()).contains("a:" + a.port(0), "b:" + b.port(0));
    for (int round = 0; round < 3; round++) {
      for (var e : home.entrySet()) {
        assertThat(TestClient.greetingFrom(e.getKey(), port)).isEqualTo(e.getValue());
      }
    }
    assertThat(engine.sticks().list("web", System.currentTimeMillis())).hasSize(20);

    vip("web").backend("a").orElseThrow().state().setAdminState(AdminState.HALT);
    for (var e : home.entrySet()) {
      assertThat(TestClient.greetingFrom(e.getKey(), port)).isEqualTo("b:" + b.port(0));
    }
    vip("web").backend("a").orElseThrow().state().setAdminState(AdminState.ONLINE);
    assertThat(TestClient.greetingFrom("127.0.0.1", port))
        .as("rewritten to b while a was halted")
        .isEqualTo("b:" + b.port(0));
  }

  @Test
  void multiPortVipMapsEachPortToItselfOrTranslatesWhenAsked() throws Exception {
    int p1 = Ports.free();
    int p2 = Ports.free();
    TestBackend pacs = backend("pacs", Mode.NAME_ECHO, 0, 0);
    int s1 = pacs.port(0);
    int s2 = pacs.port(1);
    // "vna" translates both its ports to s1; "same" (on 127.0.0.2) has a real server without a
    // port, so each VIP port maps to the same port on 127.0.0.1.
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - label: vna
                address: 127.0.0.1
                ports: [%d, %d]
                realServers:
                  - {label: vna1, address: 127.0.0.1, port: %d}
              - label: same
                address: 127.0.0.2
                ports: [%d, %d]
                realServers:
                  - {label: s, address: 127.0.0.1}
            """
                .formatted(p1, p2, s1, s1, s2)));

    assertThat(TestClient.greeting(p1)).isEqualTo("pacs:" + s1);
    assertThat(TestClient.greeting(p2)).isEqualTo("pacs:" + s1);
    try (TestClient c = TestClient.connect("127.0.0.2", s1)) {
      assertThat(c.readLine()).isEqualTo("pacs:" + s1);
    }
    try (TestClient c = TestClient.connect("127.0.0.2", s2)) {
      assertThat(c.readLine()).isEqualTo("pacs:" + s2);
    }
  }

  @Test
  void haltedServersSendClientsToTheFallbackOnTheirOwnPort() throws Exception {
    int vipPort = Ports.free();
    TestBackend rs = backend("rs1", Mode.NAME_ECHO);
    TestBackend fallback = backend("sorry", Mode.NAME_ECHO, 0);
    engine.apply(
        Configs.yaml(
            vipYaml(
                vipPort,
                "weighted-least-connection",
                "fallback: {address: 127.0.0.1, port: %d}".formatted(fallback.port()),
                rs("rs1", rs.port()))));
    assertThat(TestClient.greeting(vipPort)).startsWith("rs1:");

    vip("web").backend("rs1").orElseThrow().state().setAdminState(AdminState.HALT);

    assertThat(TestClient.greeting(vipPort)).isEqualTo("sorry:" + fallback.port());
    assertThat(vip("web").counters().fallbackConnections()).isEqualTo(1);
  }

  @Test
  void fallbackWithPortZeroUsesTheClientsPort() throws Exception {
    int vipPort = Ports.free();
    TestBackend fallback = backend("standby", Mode.NAME_ECHO, vipPort);
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - label: vna
                address: 127.0.0.2
                ports: [%d]
                fallback: {address: 127.0.0.1, port: 0}
            """
                .formatted(vipPort)));

    try (TestClient c = TestClient.connect("127.0.0.2", vipPort)) {
      assertThat(c.readLine()).isEqualTo("standby:" + vipPort);
    }
  }

  @Test
  void withoutFallbackAClientIsClosedAtOnce() throws Exception {
    int vipPort = Ports.free();
    engine.apply(Configs.yaml(vipYaml(vipPort, "first", "")));

    try (TestClient c = TestClient.connect(vipPort)) {
      assertThat(c.closedByPeer(2000)).isTrue();
    }
    assertThat(vip("web").counters().refusedConnections()).isEqualTo(1);
  }

  @Test
  void drainKeepsOpenConnectionsButTakesNoNewOnes() throws Exception {
    int vipPort = Ports.free();
    TestBackend a = backend("a", Mode.NAME_ECHO);
    TestBackend b = backend("b", Mode.NAME_ECHO);
    engine.apply(Configs.yaml(vipYaml(vipPort, "first", "", rs("a", a.port()), rs("b", b.port()))));
    try (TestClient open = TestClient.connect(vipPort)) {
      assertThat(open.readLine()).startsWith("a:");

      vip("web").backend("a").orElseThrow().state().setAdminState(AdminState.DRAIN);

      assertThat(TestClient.greeting(vipPort)).startsWith("b:");
      open.send("still here\n");
      assertThat(open.readLine()).isEqualTo("still here");
      assertThat(vip("web").backend("a").orElseThrow().state().activeConnections()).isEqualTo(1);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(vip("web").backend("a").orElseThrow().state().activeConnections())
                    .isZero());
  }

  @Test
  void aGibibyteArrivesIntactInBothDirections() throws Exception {
    int vipPort = Ports.free();
    TestBackend sink = backend("sink", Mode.SINK);
    TestBackend source = TestBackend.start("source", Mode.SOURCE, GIB);
    closeMe.add(source);
    int sourcePort = Ports.free();
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - label: up
                address: 127.0.0.1
                ports: [%d]
                realServers: [{label: sink, address: 127.0.0.1, port: %d}]
              - label: down
                address: 127.0.0.1
                ports: [%d]
                realServers: [{label: source, address: 127.0.0.1, port: %d}]
            """
                .formatted(vipPort, sink.port(), sourcePort, source.port())));

    // Client → server, then half-close: the sink answers with the digest of what it got.
    try (TestClient c = TestClient.connect(vipPort)) {
      OutputStream out = c.socket().getOutputStream();
      PatternBytes pattern = new PatternBytes(7);
      byte[] buf = new byte[256 * 1024];
      for (long left = GIB; left > 0; left -= buf.length) {
        pattern.fill(buf, buf.length);
        out.write(buf);
      }
      c.socket().shutdownOutput();
      assertThat(c.readLine()).isEqualTo(PatternBytes.digest(7, GIB));
    }

    // Server → client.
    try (TestClient c = TestClient.connect(sourcePort)) {
      InputStream in = c.socket().getInputStream();
      MessageDigest md = PatternBytes.sha256();
      byte[] buf = new byte[256 * 1024];
      long total = 0;
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        md.update(buf, 0, n);
        total += n;
      }
      assertThat(total).isEqualTo(GIB);
      assertThat(HexFormat.of().formatHex(md.digest()))
          .isEqualTo(PatternBytes.digest(TestBackend.SOURCE_SEED, GIB));
    }
    assertThat(vip("up").counters().bytesIn()).isEqualTo(GIB);
    assertThat(vip("down").counters().bytesOut()).isEqualTo(GIB);
  }

  @Test
  void twoThousandConcurrentConnectionsAreAllServed() throws Exception {
    int vipPort = Ports.free();
    TestBackend a = backend("a", Mode.NAME_ECHO);
    TestBackend b = backend("b", Mode.NAME_ECHO);
    engine.apply(
        Configs.yaml(
            vipYaml(
                vipPort, "weighted-least-connection", "", rs("a", a.port()), rs("b", b.port()))));
    List<TestClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 2000; i++) {
        clients.add(TestClient.connect(vipPort));
      }
      for (TestClient c : clients) {
        assertThat(c.readLine()).matches("[ab]:\\d+");
      }
      assertThat(vip("web").counters().activeConnections()).isEqualTo(2000);
      // Least connection over two equal servers: an even split.
      assertThat(a.openConnections()).isEqualTo(1000);
      assertThat(b.openConnections()).isEqualTo(1000);
      for (int i = 0; i < clients.size(); i++) {
        clients.get(i).send("m" + i + "\n");
      }
      for (int i = 0; i < clients.size(); i++) {
        assertThat(clients.get(i).readLine()).isEqualTo("m" + i);
      }
    } finally {
      for (TestClient c : clients) {
        c.close();
      }
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(vip("web").counters().activeConnections()).isZero());
  }

  @Test
  void aServerThatResetsClosesTheClientAndFreesItsSlot() throws Exception {
    int vipPort = Ports.free();
    TestBackend reset = backend("reset", Mode.RESET);
    engine.apply(Configs.yaml(vipYaml(vipPort, "first", "", rs("r", reset.port()))));

    try (TestClient c = TestClient.connect(vipPort)) {
      assertThat(c.closedByPeer(5000)).isTrue();
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(vip("web").counters().activeConnections()).isZero();
              assertThat(vip("web").backend("r").orElseThrow().state().activeConnections())
                  .isZero();
            });
  }

  @Test
  void aServerThatNeverAcceptsTimesOutAndTheNextServerTakesTheClient() throws Exception {
    int vipPort = Ports.free();
    BlackHole hole = new BlackHole();
    closeMe.add(hole);
    TestBackend good = backend("good", Mode.NAME_ECHO);
    engine.apply(
        Configs.yaml(
            vipYaml(
                vipPort,
                "first",
                "timeouts: {connect: 300ms}",
                rs("wedged", hole.port()),
                rs("good", good.port()))));

    long start = System.nanoTime();
    assertThat(TestClient.greeting(vipPort)).startsWith("good:");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(250));
    assertThat(vip("web").backend("wedged").orElseThrow().state().failedConnects()).isEqualTo(1);
  }

  @Test
  void aRefusedConnectMovesOnAndAllRefusedEndsAtTheFallback() throws Exception {
    int vipPort = Ports.free();
    int closed1;
    int closed2;
    try (ServerSocket s1 = new ServerSocket(0);
        ServerSocket s2 = new ServerSocket(0)) {
      closed1 = s1.getLocalPort();
      closed2 = s2.getLocalPort();
    }
    TestBackend fallback = backend("fallback", Mode.NAME_ECHO);
    engine.apply(
        Configs.yaml(
            vipYaml(
                vipPort,
                "weighted-round-robin",
                "fallback: {address: 127.0.0.1, port: %d}".formatted(fallback.port()),
                rs("d1", closed1),
                rs("d2", closed2))));

    assertThat(TestClient.greeting(vipPort)).startsWith("fallback:");
    assertThat(vip("web").backend("d1").orElseThrow().state().failedConnects()).isEqualTo(1);
    assertThat(vip("web").backend("d2").orElseThrow().state().failedConnects()).isEqualTo(1);
  }

  @Test
  void aFullServerQueuesTheNextClientUntilASlotFrees() throws Exception {
    int vipPort = Ports.free();
    TestBackend one = backend("one", Mode.NAME_ECHO);
    engine.apply(
        Configs.yaml(
            vipYaml(
                vipPort,
                "first",
                "timeouts: {queue: 10s}",
                "{label: one, address: 127.0.0.1, port: %d, maxConnections: 1}"
                    .formatted(one.port()))));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      TestClient first = TestClient.connect(vipPort);
      assertThat(first.readLine()).startsWith("one:");
      Future<String> second = pool.submit(() -> TestClient.greeting(vipPort));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> vip("web").counters().queuedConnections() == 1);
      assertThat(second.isDone()).isFalse();

      first.close();

      assertThat(second.get(5, TimeUnit.SECONDS)).startsWith("one:");
      assertThat(vip("web").counters().queuedConnections()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theQueueTimeoutClosesAWaitingClientWhenThereIsNoFallback() throws Exception {
    int vipPort = Ports.free();
    TestBackend one = backend("one", Mode.NAME_ECHO);
    engine.apply(
        Configs.yaml(
            vipYaml(
                vipPort,
                "first",
                "timeouts: {queue: 200ms}",
                "{label: one, address: 127.0.0.1, port: %d, maxConnections: 1}"
                    .formatted(one.port()))));
    try (TestClient first = TestClient.connect(vipPort)) {
      assertThat(first.readLine()).startsWith("one:");
      try (TestClient second = TestClient.connect(vipPort)) {
        assertThat(second.closedByPeer(5000)).isTrue();
      }
    }
    assertThat(vip("web").counters().refusedConnections()).isEqualTo(1);
  }

  @Test
  void idleClientsAreClosedAfterTheClientTimeout() throws Exception {
    int vipPort = Ports.free();
    TestBackend one = backend("one", Mode.NAME_ECHO);
    engine.apply(
        Configs.yaml(vipYaml(vipPort, "first", "timeouts: {client: 1s}", rs("one", one.port()))));
    try (TestClient c = TestClient.connect(vipPort)) {
      assertThat(c.readLine()).startsWith("one:");
      long start = System.nanoTime();
      assertThat(c.closedByPeer(5000)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(700), Duration.ofMillis(3000));
    }
  }

  @Test
  void aClientThatOnlyReceivesIsNotIdle() throws Exception {
    int vipPort = Ports.free();
    TestBackend ticker = backend("ticker", Mode.TICK);
    engine.apply(
        Configs.yaml(vipYaml(vipPort, "first", "timeouts: {client: 1s}", rs("t", ticker.port()))));
    try (TestClient c = TestClient.connect(vipPort)) {
      // 2.4 s of server-to-client traffic while the client says nothing: twice its timeout.
      for (int i = 0; i < 12; i++) {
        assertThat(c.readLine()).isEqualTo("tick");
      }
    }
  }

  @Test
  void aReloadKeepsUnchangedListenersAndTheirConnections() throws Exception {
    int kept = Ports.free();
    int removed = Ports.free();
    int added = Ports.free();
    TestBackend a = backend("a", Mode.NAME_ECHO);
    String rs = rs("a", a.port());
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - {label: web, address: 127.0.0.1, ports: [%d, %d], realServers: [%s]}
            """
                .formatted(kept, removed, rs)));
    try (TestClient onKept = TestClient.connect(kept);
        TestClient onRemoved = TestClient.connect(removed)) {
      onKept.readLine();
      onRemoved.readLine();
      vip("web").backend("a").orElseThrow().state().setAdminState(AdminState.DRAIN);

      engine.apply(
          Configs.yaml(
              """
              virtualServices:
                - {label: web, address: 127.0.0.1, ports: [%d, %d], realServers: [%s]}
              """
                  .formatted(kept, added, rs.replace("}", ", weight: 50}"))));

      // Open connections on both the kept and the removed port still work.
      onKept.send("k\n");
      assertThat(onKept.readLine()).isEqualTo("k");
      onRemoved.send("r\n");
      assertThat(onRemoved.readLine()).isEqualTo("r");
      // The removed port no longer accepts; the new one does; state carried over.
      assertThatThrownBy(() -> TestClient.connect(removed)).isInstanceOf(java.io.IOException.class);
      assertThat(vip("web").backend("a").orElseThrow().state().adminState())
          .isEqualTo(AdminState.DRAIN);
      assertThat(vip("web").backend("a").orElseThrow().weight()).isEqualTo(50);
      assertThat(vip("web").counters().totalConnections()).isEqualTo(2);
    }
  }

  @Test
  void aReloadThatCannotBindChangesNothing() throws Exception {
    int vipPort = Ports.free();
    TestBackend a = backend("a", Mode.NAME_ECHO);
    String rs = rs("a", a.port());
    engine.apply(
        Configs.yaml(
            "virtualServices: [{label: web, address: 127.0.0.1, ports: [%d], realServers: [%s]}]"
                .formatted(vipPort, rs)));
    try (ServerSocket taken = new ServerSocket(0)) {
      int busy = taken.getLocalPort();
      int fresh = Ports.free();
      assertThatThrownBy(
              () ->
                  engine.apply(
                      Configs.yaml(
                          """
                          virtualServices:
                            - {label: other, address: 127.0.0.1, ports: [%d, %d], realServers: [%s]}
                          """
                              .formatted(fresh, busy, rs))))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("virtualServices[0].ports[1]: cannot listen on 127.0.0.1:" + busy);

      assertThat(engine.services()).containsOnlyKeys("web");
      assertThat(TestClient.greeting(vipPort)).startsWith("a:");
      assertThatThrownBy(() -> TestClient.connect(fresh)).isInstanceOf(java.io.IOException.class);
    }
  }
}
