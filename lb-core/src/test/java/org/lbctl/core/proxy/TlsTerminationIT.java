package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Curl;
import org.lbctl.core.testing.Nginx;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestPki;
import org.lbctl.core.tls.TlsMaterial;

/** TLS termination in front of the HTTP mode, with mutual TLS, driven by curl and a JDK client. */
class TlsTerminationIT {
  @TempDir Path dir;
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private TestPki pki;
  private Nginx web;
  private int plainPort;
  private int tlsPort;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    int port = Ports.free();
    web =
        Nginx.withServer(
            "ccw",
            dir,
            """
            listen 127.0.0.1:%d;
            location / { return 200 "ccw1 proto=$http_x_forwarded_proto\\n"; }
            """
                .formatted(port),
            port);
    plainPort = Ports.free();
    tlsPort = Ports.free();
  }

  @AfterEach
  void stop() {
    engine.close();
    web.close();
  }

  private ReplicatedConfig config(String serverCert, String clientCa, String extra) {
    return Configs.yaml(
        """
        certificates:
          - {name: client-cert, certificateFile: %s, keyFile: %s}
        caFamilies:
          - {name: mTLS, files: [%s]}
        virtualServices:
          - label: CCW_WEB_8443
            address: 127.0.0.1
            ports: [%d]
            protocol: http
            termination: {port: %d, certificate: client-cert%s}
            %s
            realServers: [{label: ccw1, address: 127.0.0.1, port: %d}]
        """
            .formatted(
                pki.cert(serverCert),
                pki.key(serverCert),
                pki.cert("ca"),
                plainPort,
                tlsPort,
                clientCa.isEmpty() ? "" : ", clientCa: " + clientCa,
                extra,
                web.port()));
  }

  private Curl.Result curl(String... extra) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(List.of("-s", "-i", "--cacert", pki.cert("ca").toString()));
    args.addAll(List.of(extra));
    args.add("https://127.0.0.1:" + tlsPort + "/");
    return Curl.run(args.toArray(String[]::new));
  }

  @Test
  void clientsWithACertificateOfTheFamilyAreServedOthersAreNot() throws Exception {
    engine.apply(config("server", "mTLS", "persistence: {mode: http-cookie}"));
    Curl.Result ok =
        curl("--cert", pki.cert("client").toString(), "--key", pki.key("client").toString());
    assertThat(ok.out()).contains("ccw1 proto=https");
    // Over TLS the persistence cookie is only sent back over TLS.
    assertThat(ok.out())
        .containsPattern("(?i)set-cookie: LBCTL_SERVER=[0-9a-f]{16}; Path=/; HttpOnly; Secure");

    Curl.Result none = curl();
    assertThat(none.exit()).isNotZero();
    assertThat(none.out()).doesNotContain("ccw1");
    Curl.Result stranger =
        curl("--cert", pki.cert("stranger").toString(), "--key", pki.key("stranger").toString());
    assertThat(stranger.exit()).isNotZero();
    assertThat(stranger.out()).doesNotContain("ccw1");

    // TLS 1.2 as well as 1.3; the plain port stays plain.
    assertThat(
            curl(
                    "--tls-max",
                    "1.2",
                    "--cert",
                    pki.cert("client").toString(),
                    "--key",
                    pki.key("client").toString())
                .out())
        .contains("ccw1 proto=https");
    assertThat(Curl.run("-s", "http://127.0.0.1:" + plainPort + "/").out())
        .isEqualTo("ccw1 proto=http\n");
  }

  @Test
  void aReplacedCertificateServesNewClientsAndOpenConnectionsKeepGoing() throws Exception {
    engine.apply(config("server", "", ""));
    try (SSLSocket open = jdkClient()) {
      assertThat(get(open)).isEqualTo("ccw1 proto=https");
      assertThat(
              ((java.security.cert.X509Certificate) open.getSession().getPeerCertificates()[0])
                  .getSubjectX500Principal()
                  .getName())
          .isEqualTo("CN=server");

      engine.apply(config("server2", "", ""));
      Curl.Result fresh = curl("-v");
      assertThat(fresh.err()).contains("CN=server2");
      // The connection opened before the change still works, with the certificate it had.
      assertThat(get(open)).isEqualTo("ccw1 proto=https");
    }
  }

  @Test
  void aPfxCertificateServesAndAWrongPasswordIsRefusedAtLoad() throws Exception {
    Path password = dir.resolve("pfx.password");
    java.nio.file.Files.writeString(password, "s3cret\n");
    String yaml =
        """
        certificates:
          - {name: client-cert, pfxFile: %s, passwordFile: %s}
        virtualServices:
          - label: CCW_WEB_8443
            address: 127.0.0.1
            ports: [%d]
            protocol: http
            termination: {port: %d, certificate: client-cert}
            realServers: [{label: ccw1, address: 127.0.0.1, port: %d}]
        """
            .formatted(pki.pkcs12("server", "s3cret"), password, plainPort, tlsPort, web.port());
    ReplicatedConfig pfx = Configs.yaml(yaml);
    assertThat(TlsMaterial.problems(pfx, Instant.now())).isEmpty();
    engine.apply(pfx);
    assertThat(curl().out()).contains("ccw1 proto=https");

    java.nio.file.Files.writeString(password, "wrong\n");
    assertThat(TlsMaterial.problems(pfx, Instant.now()))
        .extracting(Object::toString)
        .singleElement()
        .asString()
        .startsWith("certificates[0]: cannot use its files: ");
  }

  @Test
  void sniPicksTheCertificateForTheHostAClientAsksFor() throws Exception {
    engine.apply(
        Configs.yaml(
            """
            certificates:
              - {name: portal, certificateFile: %s, keyFile: %s}
              - {name: local, certificateFile: %s, keyFile: %s}
            virtualServices:
              - label: CCW_WEB_8443
                address: 127.0.0.1
                ports: [%d]
                protocol: http
                termination: {port: %d, certificate: portal, sni: {localhost: local}}
                realServers: [{label: ccw1, address: 127.0.0.1, port: %d}]
            """
                .formatted(
                    pki.cert("server"),
                    pki.key("server"),
                    pki.cert("server2"),
                    pki.key("server2"),
                    plainPort,
                    tlsPort,
                    web.port())));
    Curl.Result byName =
        Curl.run(
            "-s",
            "-v",
            "--cacert",
            pki.cert("ca").toString(),
            "https://localhost:" + tlsPort + "/");
    assertThat(byName.out()).contains("ccw1 proto=https");
    assertThat(byName.err()).contains("subject: CN=server2");
    // An address sends no server name: the default certificate.
    assertThat(curl("-v").err()).contains("subject: CN=server");
    assertThat(curl("-v").err()).doesNotContain("CN=server2");
  }

  @Test
  void certificatesAreCheckedWhenTheConfigurationIsLoaded() {
    ReplicatedConfig good = config("server", "mTLS", "");
    assertThat(TlsMaterial.problems(good, Instant.now())).isEmpty();
    // The test PKI's certificates live two days.
    assertThat(TlsMaterial.problems(good, Instant.now().plusSeconds(10 * 86400)))
        .extracting(Object::toString)
        .singleElement()
        .asString()
        .startsWith("certificates[0].certificateFile: " + pki.cert("server") + " expired on ");
    ReplicatedConfig mismatched =
        Configs.yaml(
            """
            certificates:
              - {name: x, certificateFile: %s, keyFile: %s}
              - {name: y, certificateFile: %s, keyFile: %s}
            caFamilies:
              - {name: empty, files: [%s]}
            """
                .formatted(
                    pki.cert("server"),
                    pki.key("client"),
                    dir.resolve("nowhere.pem"),
                    pki.key("server"),
                    pki.key("server")));
    assertThat(TlsMaterial.problems(mismatched, Instant.now()))
        .extracting(Object::toString)
        .anySatisfy(
            p ->
                assertThat(p)
                    .isEqualTo(
                        "certificates[0].keyFile: "
                            + pki.key("client")
                            + " is not the private key of "
                            + pki.cert("server")))
        .anySatisfy(p -> assertThat(p).startsWith("certificates[1]: cannot use its files: "))
        .anySatisfy(p -> assertThat(p).startsWith("caFamilies[0].files[0]: cannot use it: "));
  }

  /**
   * Re-encryption (GE CCW VIPs 1, 2, 3 and 5): the real server is nginx over TLS wanting a client
   * certificate; the VIP verifies it against the CA family and presents the named certificate.
   */
  @Test
  void reencryptionVerifiesTheServerAndPresentsTheClientCertificate() throws Exception {
    int tlsServerPort = Ports.free();
    Nginx secure = ccwOverTls("ccw-tls", tlsServerPort);
    try {
      String yaml =
          """
          certificates:
            - {name: client-cert, certificateFile: %s, keyFile: %s}
          caFamilies:
            - {name: mTLS, files: [%s]}
            - {name: other, files: [%s]}
          virtualServices:
            - label: CCW_WEB_443
              address: 127.0.0.1
              ports: [%d]
              protocol: http
              realServers:
                - {label: ccw1, address: 127.0.0.1, port: %d, reencrypt: REENCRYPT}
          """
              .formatted(
                  pki.cert("client"),
                  pki.key("client"),
                  pki.cert("ca"),
                  pki.cert("other-ca"),
                  plainPort,
                  tlsServerPort);
      String url = "http://127.0.0.1:" + plainPort + "/";
      engine.apply(
          Configs.yaml(
              yaml.replace("REENCRYPT", "{verifyCa: mTLS, clientCertificate: client-cert}")));
      assertThat(Curl.run("-s", url).out()).isEqualTo("ccw1 over tls, client CN=client\n");

      // Without the client certificate the server itself refuses (400 from nginx).
      engine.apply(Configs.yaml(yaml.replace("REENCRYPT", "{verifyCa: mTLS}")));
      assertThat(Curl.run("-s", "-i", url).out()).startsWith("HTTP/1.1 400");

      // A server whose certificate the family does not sign gets nothing: 502.
      engine.apply(
          Configs.yaml(
              yaml.replace("REENCRYPT", "{verifyCa: other, clientCertificate: client-cert}")));
      assertThat(Curl.run("-s", "-i", url).out()).startsWith("HTTP/1.1 502 Bad Gateway");
    } finally {
      secure.close();
    }
  }

  /**
   * GE CCW VIPs 1, 3 and 5: TCP mode behind TLS termination with a client certificate required,
   * re-encrypted to a server that wants ours. The bytes go through untouched (no HTTP parsing):
   * nginx sees our client certificate, and the client sees nginx's answer.
   */
  @Test
  void tcpModeTerminatesTlsAndReencryptsToTheServer() throws Exception {
    int tlsServerPort = Ports.free();
    Nginx secure = ccwOverTls("ccw-tcp-tls", tlsServerPort);
    try {
      engine.apply(
          Configs.yaml(
              """
              certificates:
                - {name: client-cert, certificateFile: %s, keyFile: %s}
                - {name: portal, certificateFile: %s, keyFile: %s}
              caFamilies:
                - {name: mTLS, files: [%s]}
              virtualServices:
                - label: CCW_WEB_443
                  address: 127.0.0.1
                  ports: [%d]
                  protocol: tcp
                  termination: {port: %d, certificate: portal, clientCa: mTLS}
                  realServers:
                    - label: ccw1
                      address: 127.0.0.1
                      port: %d
                      reencrypt: {verifyCa: mTLS, clientCertificate: client-cert}
              """
                  .formatted(
                      pki.cert("client"),
                      pki.key("client"),
                      pki.cert("server"),
                      pki.key("server"),
                      pki.cert("ca"),
                      plainPort,
                      tlsPort,
                      tlsServerPort)));
      String url = "https://127.0.0.1:" + tlsPort + "/";
      Curl.Result ok =
          Curl.run(
              "-s",
              "--cacert",
              pki.cert("ca").toString(),
              "--cert",
              pki.cert("client").toString(),
              "--key",
              pki.key("client").toString(),
              url);
      assertThat(ok.out()).isEqualTo("ccw1 over tls, client CN=client\n");

      // Without a client certificate the termination refuses the client; nginx never hears of it.
      Curl.Result refused = Curl.run("-s", "--cacert", pki.cert("ca").toString(), url);
      assertThat(refused.out()).isEmpty();
      assertThat(secure.accessLog()).containsOnlyOnce("GET / ");
    } finally {
      secure.close();
    }
  }

  /** A CCW server: nginx over TLS that wants a client certificate of the CA and names it. */
  private Nginx ccwOverTls(String name, int port) throws Exception {
    return Nginx.withServer(
        name,
        dir,
        """
        listen 127.0.0.1:%d ssl;
        ssl_certificate %s;
        ssl_certificate_key %s;
        ssl_client_certificate %s;
        ssl_verify_client on;
        location / { return 200 "ccw1 over tls, client $ssl_client_s_dn\n"; }
        """
            .formatted(port, pki.cert("server"), pki.key("server"), pki.cert("ca")),
        port);
  }

  /**
   * The slowloris defence holds over TLS as in plain HTTP, for a connection's first request too.
   */
  @Test
  void aClientThatSendsItsHeadersTooSlowlyOverTlsGets408() throws Exception {
    engine.apply(config("server", "", "timeouts: {httpRequest: 1s}"));
    try (SSLSocket slow = jdkClient()) {
      slow.setSoTimeout(5000);
      OutputStream out = slow.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: ccw\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long start = System.nanoTime();
      String status =
          new BufferedReader(
                  new InputStreamReader(slow.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      assertThat(status).isEqualTo("HTTP/1.1 408 Request Timeout");
      // At the header timeout (1 s), not at some later one.
      assertThat(System.nanoTime() - start)
          .isLessThan(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(2500));
    }
  }

  private SSLSocket jdkClient() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (var in = java.nio.file.Files.newInputStream(pki.cert("ca"))) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", tlsPort);
    s.startHandshake();
    return s;
  }

  /** One keep-alive GET on an open connection; the body's first line. */
  private static String get(SSLSocket s) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write("GET / HTTP/1.1\r\nHost: ccw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    String line;
    int length = 0;
    while (!(line = in.readLine()).isEmpty()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      read += in.read(body, read, length - read);
    }
    return new String(body).strip();
  }
}
