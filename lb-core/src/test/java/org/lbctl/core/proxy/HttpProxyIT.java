package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Curl;
import org.lbctl.core.testing.Nginx;
import org.lbctl.core.testing.Ports;

/** HTTP mode in front of two nginx servers, driven by curl and raw sockets. */
class HttpProxyIT {
  @TempDir Path dir;
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private final List<Nginx> servers = new ArrayList<>();
  private int vipPort;

  private Nginx nginx(String name) throws Exception {
    int port = Ports.free();
    Nginx n =
        Nginx.withServer(
            name,
            dir,
            """
            listen 127.0.0.1:%d;
            keepalive_requests 1000;
            location / {
              return 200 "%s xff=$http_x_forwarded_for proto=$http_x_forwarded_proto conn=$connection\\n";
            }
            location /upload { client_max_body_size 10m; return 200 "%s got $content_length\\n"; }
            """
                .formatted(port, name, name),
            port);
    servers.add(n);
    return n;
  }

  @BeforeEach
  void start() throws Exception {
    vipPort = Ports.free();
  }

  @AfterEach
  void stop() {
    engine.close();
    servers.forEach(Nginx::close);
  }

  private void vip(String extra) throws Exception {
    Nginx a = servers.get(0);
    Nginx b = servers.get(1);
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - label: portal
                address: 127.0.0.1
                ports: [%d]
                protocol: http
                %s
                realServers:
                  - {label: rs1, address: 127.0.0.1, port: %d}
                  - {label: rs2, address: 127.0.0.1, port: %d}
            """
                .formatted(vipPort, extra, a.port(), b.port())));
  }

  private String url(String path) {
    return "http://127.0.0.1:" + vipPort + path;
  }

  @Test
  void requestsKeepTheirConnectionsAndCarryTheClientsAddress() throws Exception {
    nginx("rs1");
    nginx("rs2");
    vip("scheduler: first");
    // Two requests on one client connection.
    Curl.Result r = Curl.run("-s", url("/a"), url("/b"));
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("rs1 xff=127.0.0.1 proto=http conn=");
    // The second request went over the same server connection.
    String conn = lines.get(0).substring(lines.get(0).indexOf("conn="));
    assertThat(lines.get(1)).endsWith(conn);
    // What went over the wire shows in the counters, as in TCP mode.
    var vip = engine.service("portal").orElseThrow();
    assertThat(vip.counters().bytesIn()).isGreaterThan(100);
    assertThat(vip.counters().bytesOut()).isGreaterThan(200);
    var rs1 = vip.backend("rs1").orElseThrow().state();
    assertThat(rs1.bytesIn()).isGreaterThan(100);
    assertThat(rs1.bytesOut()).isGreaterThan(200);
    assertThat(rs1.totalConnections()).isEqualTo(2);
  }

  @Test
  void roundRobinRequestsReuseParkedServerConnectionsInsteadOfOpeningNewOnes() throws Exception {
    nginx("rs1");
    nginx("rs2");
    vip("scheduler: weighted-round-robin");
    String[] urls = new String[10];
    java.util.Arrays.fill(urls, url("/"));
    List<String> args = new ArrayList<>(List.of("-s"));
    args.addAll(List.of(urls));
    List<String> lines = Curl.run(args.toArray(String[]::new)).out().lines().toList();
    assertThat(lines).hasSize(10);
    Set<String> serverConnections = new HashSet<>();
    for (String l : lines) {
      serverConnections.add(l.substring(0, 3) + " " + l.substring(l.indexOf("conn=")));
    }
    // Ten requests alternating between two servers: one connection to each, parked in turn.
    assertThat(serverConnections).hasSize(2);
  }

  @Test
  void anInsertedCookieKeepsAClientOnItsServerUntilThatServerIsHalted() throws Exception {
    nginx("rs1");
    nginx("rs2");
    vip("scheduler: weighted-round-robin\n    persistence: {mode: http-cookie}");
    Path jar = dir.resolve("jar");
    Curl.Result first = Curl.run("-s", "-i", "-c", jar.toString(), url("/"));
    assertThat(first.out())
        .containsPattern("(?i)set-cookie: LBCTL_SERVER=[0-9a-f]{16}; Path=/; HttpOnly");
    String home =
        first
            .out()
            .lines()
            .filter(l -> l.startsWith("rs"))
            .findFirst()
            .orElseThrow()
            .substring(0, 3);
    for (int i = 0; i < 6; i++) {
      Curl.Result again = Curl.run("-s", "-i", "-b", jar.toString(), url("/"));
      assertThat(again.out()).contains(home + " xff=");
      assertThat(again.out()).doesNotContainIgnoringCase("set-cookie");
    }
    // Without the cookie the scheduler alternates.
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      seen.add(Curl.run("-s", url("/")).out().substring(0, 3));
    }
    assertThat(seen).containsExactlyInAnyOrder("rs1", "rs2");

    engine
        .service("portal")
        .orElseThrow()
        .backend(home)
        .orElseThrow()
        .state()
        .setAdminState(AdminState.HALT);
    Curl.Result moved = Curl.run("-s", "-i", "-b", jar.toString(), "-c", jar.toString(), url("/"));
    String other = home.equals("rs1") ? "rs2" : "rs1";
    assertThat(moved.out())
        .contains(other + " xff=")
        .containsIgnoringCase("set-cookie: LBCTL_SERVER=");
  }

  @Test
  void aForceHttpsVipRedirectsToTheSameHostAndTarget() throws Exception {
    nginx("rs1");
    nginx("rs2");
    vip("forceHttps: true");
    Curl.Result r =
        Curl.run("-s", "-i", "-H", "Host: mychart.hospital.example:80", url("/MyChart/?lang=en"));
    assertThat(r.out())
        .startsWith("HTTP/1.1 301 Moved Permanently")
        .contains("location: https://mychart.hospital.example/MyChart/?lang=en");
  }

  @Test
  void aBodyGoesThroughWithExpectContinueAndChunked() throws Exception {
    nginx("rs1");
    nginx("rs2");
    vip("scheduler: first");
    Path body = dir.resolve("body");
    Files.write(body, new byte[2 * 1024 * 1024]);
    Curl.Result sized = Curl.run("-s", "--data-binary", "@" + body, url("/upload"));
    assertThat(sized.out()).isEqualTo("rs1 got 2097152\n");
    Curl.Result chunked =
        Curl.run(
            "-s", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + body, url("/upload"));
    assertThat(chunked.out()).startsWith("rs1 got");
  }

  @Test
  void smugglingIsRefusedAtTheProxyAndNoServerMeans503() throws Exception {
    nginx("rs1");
    nginx("rs2");
    vip("scheduler: first");
    try (Socket s = new Socket("127.0.0.1", vipPort)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 31\r\n\r\n"
                  + "0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 400 Bad Request");
    }
    assertThat(servers.get(0).accessLog()).doesNotContain("smuggled");

    servers.forEach(Nginx::close);
    Curl.Result none = Curl.run("-s", "-i", url("/"));
    assertThat(none.out()).startsWith("HTTP/1.1 503 Service Unavailable");
  }

  /**
   * Slowloris: a thousand clients that start a request and never finish its headers are all
   * answered 408 and closed at the header timeout, while another client's requests go on at their
   * usual speed.
   */
  @Test
  void aThousandSlowClientsAreClosedAtTheHeaderTimeoutWhileOthersAreServed() throws Exception {
    nginx("rs1");
    nginx("rs2");
    vip("scheduler: first\n    timeouts: {httpRequest: 1s}");
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest get =
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/"))).build();
    long baseline = worstOf(http, get, 20);

    List<Socket> slow = new ArrayList<>();
    long opened = System.nanoTime();
    try {
      for (int i = 0; i < 1000; i++) {
        Socket c = new Socket("127.0.0.1", vipPort);
        c.getOutputStream()
            .write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
        slow.add(c);
      }
      long during = worstOf(http, get, 20);
      int timedOut = 0;
      for (Socket c : slow) {
        c.setSoTimeout(5000);
        String answer = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (answer.startsWith("HTTP/1.1 408 Request Timeout")) {
          timedOut++;
        }
      }
      long allClosedMs = (System.nanoTime() - opened) / 1_000_000;
      System.out.printf(
          "slowloris: %d/1000 answered 408 and closed %d ms after the first opened; worst of 20"
              + " other requests %d ms before, %d ms during%n",
          timedOut, allClosedMs, baseline, during);
      assertThat(timedOut).isEqualTo(1000);
      assertThat(allClosedMs).isLessThan(5000);
      assertThat(during).isLessThan(Math.max(200, baseline * 10));
    } finally {
      for (Socket c : slow) {
        c.close();
      }
    }
  }

  /** The slowest of {@code n} requests, in ms. */
  private static long worstOf(java.net.http.HttpClient http, java.net.http.HttpRequest get, int n)
      throws Exception {
    long worst = 0;
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      var r = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      worst = Math.max(worst, (System.nanoTime() - t) / 1_000_000);
    }
    return worst;
  }
}
