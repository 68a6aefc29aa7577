package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Curl;
import org.lbctl.core.testing.Nginx;
import org.lbctl.core.testing.Ports;

/** HTTP web servers (real nginx) behind a layer 7 TCP-mode VIP, driven by real curl. */
class TcpModeHttpIT {
  @TempDir Path dir;
  private Nginx web1;
  private Nginx web2;
  private ProxyEngine engine;
  private String url;

  @BeforeEach
  void start() throws Exception {
    web1 = Nginx.start("web1", dir);
    web2 = Nginx.start("web2", dir);
    engine = new ProxyEngine(Transport.detect(), 1);
    int vip = Ports.free();
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - label: portal
                address: 127.0.0.1
                ports: [%d]
                scheduler: weighted-round-robin
                realServers:
                  - {label: web1, address: 127.0.0.1, port: %d}
                  - {label: web2, address: 127.0.0.1, port: %d}
            """
                .formatted(vip, web1.port(), web2.port())));
    url = "http://127.0.0.1:" + vip + "/";
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    web1.close();
    web2.close();
  }

  @Test
  void eachConnectionGoesToTheNextServerAndKeepsItsRequestsTogether() throws Exception {
    // One curl, three requests on one kept-alive connection: one server answers all three.
    Curl.Result oneConnection = Curl.run(url, url, url);
    assertThat(oneConnection.exit()).as(oneConnection.err()).isZero();
    String first = oneConnection.out().lines().findFirst().orElseThrow();
    assertThat(oneConnection.out().lines()).containsExactly(first, first, first);

    // Separate connections alternate.
    String second = Curl.run(url).out().trim();
    String third = Curl.run(url).out().trim();
    assertThat(second).isNotEqualTo(first);
    assertThat(third).isEqualTo(first);
  }

  @Test
  void theWebServerSeesTheLoadBalancerAsItsClient() throws Exception {
    assertThat(Curl.run(url).exit()).isZero();
    assertThat(Curl.run(url).exit()).isZero();
    assertThat(web1.accessLog() + web2.accessLog()).contains("127.0.0.1 GET / HTTP/1.1");
  }

  @Test
  void haltedWebServerGetsNoNewConnections() throws Exception {
    engine
        .service("portal")
        .orElseThrow()
        .backend("web1")
        .orElseThrow()
        .state()
        .setAdminState(AdminState.HALT);
    for (int i = 0; i < 4; i++) {
      assertThat(Curl.run(url).out()).isEqualTo("web2\n");
    }
    assertThat(web1.accessLog()).isEmpty();
  }
}
