package org.lbctl.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.BodyMatch;
import org.lbctl.core.config.CheckTls;
import org.lbctl.core.config.HttpGet;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.testing.Nginx;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestPki;

/** HTTP and HTTPS GET checks against nginx, with mutual TLS as GE CCW's notification VIP uses. */
class HttpGetCheckIT {
  private static final Transport TRANSPORT = Transport.detect();
  private static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(1, TRANSPORT.ioHandlerFactory());
  private static final CheckTransport CHECKS = new CheckTransport(GROUP, TRANSPORT.socketChannel());
  private static final String LOCATIONS =
      """
      location = /api/health/ { return 200 "allServicesOperative\\n"; }
      location = /degraded { return 200 "someServicesDegraded"; }
      location = /down { return 503 "maintenance"; }
      """;

  @TempDir static Path dir;
  private static TestPki pki;
  private static Nginx plain;
  private static Nginx mutual;

  @BeforeAll
  static void servers() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    int p1 = Ports.free();
    plain = Nginx.withServer("plain", dir, "listen 127.0.0.1:" + p1 + ";\n" + LOCATIONS, p1);
    int p2 = Ports.free();
    mutual =
        Nginx.withServer(
            "mtls",
            dir,
            """
            listen 127.0.0.1:%d ssl;
            ssl_certificate %s;
            ssl_certificate_key %s;
            ssl_client_certificate %s;
            ssl_verify_client on;
            %s
            """
                .formatted(p2, pki.cert("server"), pki.key("server"), pki.cert("ca"), LOCATIONS),
            p2);
  }

  @AfterAll
  static void stop() {
    plain.close();
    mutual.close();
    GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static HttpGet get(String path, BodyMatch match) {
    return new HttpGet(path, "", 200, "allServicesOperative", match);
  }

  private static CheckTls tls(String ca, boolean withClientCert, boolean verify) {
    return new CheckTls(
        false,
        verify,
        pki.cert(ca).toString(),
        withClientCert ? pki.cert("client").toString() : "",
        withClientCert ? pki.key("client").toString() : "");
  }

  private static CheckResult check(HttpGet http, int port) throws Exception {
    return run(new HttpGetCheck(CHECKS, http, Optional.empty()), port);
  }

  /** GET /api/health/ over TLS with {@code host} as Host and SNI (empty: the address). */
  private static CheckResult checkTls(String host, CheckTls tls, int port) throws Exception {
    HttpGet health =
        new HttpGet("/api/health/", host, 200, "allServicesOperative", BodyMatch.EQUALS);
    return run(new HttpGetCheck(CHECKS, health, Optional.of(CheckTlsContexts.build(tls))), port);
  }

  private static CheckResult run(Check check, int port) throws Exception {
    return check
        .run(
            new CheckTarget(
                "ccw",
                "ccw1",
                InetAddress.getLoopbackAddress(),
                List.of(port),
                Duration.ofSeconds(2)))
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void theExpectedStatusAndBodyAreHealthyAnythingElseSaysWhatCame() throws Exception {
    CheckResult ok = check(get("/api/health/", BodyMatch.EQUALS), plain.port());
    assertThat(ok.up()).as(ok.detail()).isTrue();
    assertThat(ok.detail()).matches("GET http://127\\.0\\.0\\.1:\\d+/api/health/: 200 in \\d+ ms");

    CheckResult degraded = check(get("/degraded", BodyMatch.EQUALS), plain.port());
    assertThat(degraded.up()).isFalse();
    assertThat(degraded.detail())
        .endsWith(": body 'someServicesDegraded' does not equal 'allServicesOperative'");
    assertThat(check(get("/degraded", BodyMatch.CONTAINS), plain.port()).detail())
        .endsWith("does not contain 'allServicesOperative'");

    assertThat(check(get("/down", BodyMatch.CONTAINS), plain.port()).detail())
        .endsWith(": status 503 (expected 200)");
  }

  @Test
  void mutualTlsWithTheRightCaAndClientCertificateIsHealthy() throws Exception {
    CheckResult ok = checkTls("", tls("ca", true, true), mutual.port());
    assertThat(ok.up()).as(ok.detail()).isTrue();
    assertThat(ok.detail())
        .startsWith("GET https://127.0.0.1:" + mutual.port() + "/api/health/: 200");
    // The certificate also names localhost: as Host and SNI it verifies.
    assertThat(checkTls("localhost", tls("ca", true, true), mutual.port()).up()).isTrue();
  }

  @Test
  void withoutAClientCertificateAnotherCaOrAnotherNameTheCheckFails() throws Exception {
    assertThat(checkTls("", tls("ca", false, true), mutual.port()).detail())
        .endsWith(": status 400 (expected 200)");
    assertThat(checkTls("", tls("other-ca", true, true), mutual.port()).detail())
        .endsWith(
            ": TLS handshake failed: the server's certificate is not signed by the configured CA");
    assertThat(checkTls("pacs.example", tls("ca", true, true), mutual.port()).detail())
        .contains(": TLS handshake failed: the server's certificate is not for this name");
    // Verification off: any certificate will do (the client certificate still matters).
    assertThat(checkTls("", tls("other-ca", true, false), mutual.port()).up()).isTrue();
  }
}
