package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestClient;

/**
 * A node of a cluster listens only for the virtual services of the VIP groups it owns: moving a
 * group moves its listeners, and a connection already relayed runs on.
 */
class ServedServicesIT {
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private final TestBackend pacs = TestBackend.start("pacs", TestBackend.Mode.NAME_ECHO);
  private final TestBackend web = TestBackend.start("web", TestBackend.Mode.NAME_ECHO);
  private final int pacsPort = Ports.free();
  private final int webPort = Ports.free();

  @AfterEach
  void stop() {
    engine.close();
    pacs.close();
    web.close();
  }

  private void apply() throws Exception {
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - {label: pacs, address: 127.0.0.1, ports: [%d],
                 realServers: [{label: p, address: 127.0.0.1, port: %d}]}
              - {label: web, address: 127.0.0.1, ports: [%d],
                 realServers: [{label: w, address: 127.0.0.1, port: %d}]}
            """
                .formatted(pacsPort, pacs.port(), webPort, web.port())));
  }

  private static void refused(int port) {
    assertThatThrownBy(() -> TestClient.greeting(port))
        .as("port %d listens", port)
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void onlyTheNamedServicesListenAndAMoveKeepsTheOpenConnections() throws Exception {
    apply();
    engine.serve(Served.only(Set.of("pacs")));
    assertThat(TestClient.greeting(pacsPort)).startsWith("pacs:");
    refused(webPort);
    assertThat(engine.serving()).isTrue();

    try (TestClient open = TestClient.connect(pacsPort)) {
      assertThat(open.readLine()).startsWith("pacs:");
      ListenerChanges moved = engine.serve(Served.only(Set.of("web")));
      assertThat(moved.added()).hasSize(1);
      assertThat(moved.removed()).hasSize(1);
      assertThat(TestClient.greeting(webPort)).startsWith("web:");
      refused(pacsPort);
      // The connection relayed before the move still carries bytes both ways.
      open.socket().getOutputStream().write("still here\n".getBytes());
      assertThat(open.readLine()).isEqualTo("still here");
    }

    engine.serve(Served.NONE);
    refused(webPort);
    assertThat(engine.serving()).isFalse();
    engine.setServing(true);
    assertThat(TestClient.greeting(pacsPort)).startsWith("pacs:");
    assertThat(TestClient.greeting(webPort)).startsWith("web:");
  }

  @Test
  void aReloadKeepsServingOnlyTheNamedServices() throws Exception {
    apply();
    engine.serve(Served.only(Set.of("web")));
    apply(); // the same configuration again, as a reload does
    refused(pacsPort);
    assertThat(TestClient.greeting(webPort)).startsWith("web:");
  }
}
