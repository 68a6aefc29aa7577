package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.http.HttpRejection;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Curl;
import org.lbctl.core.testing.Nginx;
import org.lbctl.core.testing.PatternBytes;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.RawH2Client;
import org.lbctl.core.testing.TestPki;

/**
 * HTTP/2 from clients on a TLS-terminated HTTP VIP, HTTP/1.1 to two nginx real servers: curl and
 * h2load as clients, and a client that writes the floods and oversized header lists an attacker on
 * the LAN would.
 */
class Http2ProxyIT {
  private static final String VIP = "WEB_H2";

  @TempDir Path dir;
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private TestPki pki;
  private final List<Nginx> servers = new ArrayList<>();
  private int tlsPort;

  @BeforeEach
  void start() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    for (String name : List.of("rs1", "rs2")) {
      int port = Ports.free();
      Path root = Files.createDirectories(dir.resolve("root-" + name));
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
      servers.add(
          Nginx.withServer(
              name,
              dir,
              """
              listen 127.0.0.1:%d;
              client_max_body_size 64m;
              location /who {
                return 200 "%s proto=$server_protocol xff=$http_x_forwarded_for xfp=$http_x_forwarded_proto host=$host ext=$http_x_http2_stream_id$http_x_http2_scheme\\n";
              }
              location /files/ { root %s; dav_methods PUT; create_full_put_path on; }
              """
                  .formatted(port, name, root),
              port));
    }
    // nginx's workers run unprivileged: they write uploads into these and read them back.
    for (Path p : List.of(dir, dir.resolve("nginx-rs1"), dir.resolve("nginx-rs2"))) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
    }
    tlsPort = Ports.free();
  }

  @AfterEach
  void stop() {
    engine.close();
    servers.forEach(Nginx::close);
  }

  private ReplicatedConfig config(String terminationExtra) {
    return config(terminationExtra, "");
  }

  private ReplicatedConfig config(String terminationExtra, String vipExtra) {
    return Configs.yaml(
        """
        certificates:
          - {name: web, certificateFile: %s, keyFile: %s}
        virtualServices:
          - label: %s
            address: 127.0.0.1
            ports: [%d]
            protocol: http
            termination: {port: %d, certificate: web%s}
            persistence: {mode: http-cookie}
            %s
            realServers:
              - {label: rs1, address: 127.0.0.1, port: %d}
              - {label: rs2, address: 127.0.0.1, port: %d}
        """
            .formatted(
                pki.cert("server"),
                pki.key("server"),
                VIP,
                Ports.free(),
                tlsPort,
                terminationExtra,
                vipExtra,
                servers.get(0).port(),
                servers.get(1).port()));
  }

  private String url(String path) {
    return "https://127.0.0.1:" + tlsPort + path;
  }

  private Curl.Result curl(String... args) throws Exception {
    List<String> all =
        new ArrayList<>(List.of("-s", "--http2", "--cacert", pki.cert("ca").toString()));
    all.addAll(List.of(args));
    return Curl.run(all.toArray(String[]::new));
  }

  private long rejected(HttpRejection why) {
    return engine.service(VIP).orElseThrow().counters().rejected().getOrDefault(why, 0L);
  }

  @Test
  void curlSpeaksHttp2ToTheVipWhileTheRealServersGetHttp11WithTheForwardedHeaders()
      throws Exception {
    engine.apply(config(""));
    Curl.Result r = curl("-w", "version=%{http_version}\\n", url("/who"));
    assertThat(r.out()).contains("version=2");
    assertThat(r.out())
        .containsPattern("rs[12] proto=HTTP/1.1 xff=127.0.0.1 xfp=https host=127.0.0.1 ext=\n");
  }

  @Test
  void eachStreamIsRoutedOnItsOwnAndTheCookieKeepsAClientOnItsServer() throws Exception {
    engine.apply(config(""));
    String[] urls = new String[10];
    Arrays.fill(urls, url("/who"));
    // One connection, ten streams, no cookie: round robin per request, not per connection.
    Curl.Result spread = curl(urls);
    assertThat(spread.out()).contains("rs1 ").contains("rs2 ");

    Path jar = dir.resolve("jar");
    List<String> args = new ArrayList<>(List.of("-c", jar.toString(), "-b", jar.toString()));
    args.add("-D");
    args.add(dir.resolve("headers").toString());
    args.addAll(Arrays.asList(urls));
    Curl.Result stuck = curl(args.toArray(String[]::new));
    List<String> names = stuck.out().lines().map(l -> l.substring(0, 3)).distinct().toList();
    assertThat(names).hasSize(1);
    assertThat(Files.readString(dir.resolve("headers")))
        .containsPattern("(?i)set-cookie: LBCTL_SERVER=[0-9a-f]{16}; Path=/; HttpOnly; Secure");
  }

  @Test
  void largeUploadsAndDownloadsArriveWhole() throws Exception {
    engine.apply(config(""));
    long size = 8L * 1024 * 1024 + 17;
    Path upload = dir.resolve("upload.bin");
    PatternBytes pattern = new PatternBytes(42);
    try (OutputStream out = Files.newOutputStream(upload)) {
      byte[] buf = new byte[65536];
      for (long left = size; left > 0; ) {
        int n = (int) Math.min(buf.length, left);
        pattern.fill(buf, n);
        out.write(buf, 0, n);
        left -= n;
      }
    }
    Path jar = dir.resolve("jar");
    // The first answer pins the client; the upload and download then go to the same server.
    Curl.Result who = curl("-c", jar.toString(), url("/who"));
    String server = who.out().substring(0, 3);
    Curl.Result put =
        curl(
            "-b",
            jar.toString(),
            "-T",
            upload.toString(),
            "-w",
            "%{http_code}",
            url("/files/a.bin"));
    assertThat(put.out()).endsWith("201");
    Path stored = dir.resolve("root-" + server).resolve("files/a.bin");
    String expected = PatternBytes.digest(42, size);
    assertThat(sha256(stored)).isEqualTo(expected);

    Path download = dir.resolve("download.bin");
    Curl.Result get =
        curl(
            "-b",
            jar.toString(),
            "-o",
            download.toString(),
            "-w",
            "%{http_code} %{http_version}",
            url("/files/a.bin"));
    assertThat(get.out()).isEqualTo("200 2");
    assertThat(sha256(download)).isEqualTo(expected);
  }

  @Test
  void aBodyOverTheLimitGets413OnItsStream() throws Exception {
    engine.apply(config("", "maxRequestBody: 1KiB"));
    Path big = dir.resolve("big.bin");
    Files.write(big, new byte[4096]);
    Curl.Result r =
        curl("--data-binary", "@" + big, "-w", "%{http_code} %{http_version}", url("/who"));
    assertThat(r.out()).endsWith("413 2");
    // The connection goes on: another stream on it is served.
    assertThat(curl(url("/who")).out()).containsPattern("rs[12] proto=HTTP/1.1");
  }

  @Test
  void whatHttp11ClientsAreRefusedIsRefusedOnAStream() throws Exception {
    engine.apply(config(""));
    Curl.Result hixie =
        curl(
            "-H",
            "Sec-WebSocket-Key1: 1",
            "-H",
            "Sec-WebSocket-Key2: 2",
            "-w",
            "%{http_code}",
            url("/who"));
    assertThat(hixie.out()).endsWith("400");
    assertThat(rejected(HttpRejection.MALFORMED_REQUEST)).isEqualTo(1);
    assertThat(accessLogs()).doesNotContain("/who");
  }

  @Test
  void aConnectionWhoseStreamsDoNotMoveIsClosedHoweverOftenItPings() throws Exception {
    engine.apply(config("", "timeouts: {client: 1s}"));
    try (RawH2Client c = RawH2Client.connect(tlsPort, pki.cert("ca"))) {
      // A request whose body never comes: the stream stays open, holding its server connection.
      c.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1, RawH2Client.get("/who"));
      c.flush();
      long start = System.nanoTime();
      boolean closed = false;
      while (!closed && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(6)) {
        try {
          c.ping(1).flush();
        } catch (java.net.SocketException e) {
          closed = true;
          break;
        }
        closed = c.closedWithin(200);
      }
      assertThat(closed).as("closed although it pinged every 200 ms").isTrue();
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(4));
    }
  }

  @Test
  void aTerminationCanKeepClientsOnHttp11() throws Exception {
    engine.apply(config(", http2: false"));
    Curl.Result r = curl("-w", "version=%{http_version}\\n", url("/who"));
    assertThat(r.out()).contains("version=1.1").containsPattern("rs[12] proto=HTTP/1.1");
  }

  @Test
  void h2loadGetsEveryAnswerOverManyConcurrentStreams() throws Exception {
    engine.apply(config(""));
    Process p =
        new ProcessBuilder("h2load", "-n", "2000", "-c", "4", "-m", "20", url("/who"))
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(out)
        .contains("2000 succeeded, 0 failed, 0 errored")
        .contains("status codes: 2000 2xx");
    assertThat(out).contains("Application protocol: h2");
  }

  @Test
  void aRapidResetFloodEndsTheConnection() throws Exception {
    engine.apply(config(""));
    try (RawH2Client c = RawH2Client.connect(tlsPort, pki.cert("ca"))) {
      assertGoAway(
          c,
          11,
          x -> {
            for (int i = 0; i < 500; i++) {
              int stream = 1 + 2 * i;
              x.frame(
                  RawH2Client.HEADERS,
                  RawH2Client.END_HEADERS | RawH2Client.END_STREAM,
                  stream,
                  RawH2Client.get("/who"));
              x.reset(stream);
            }
          });
    }
    assertThat(rejected(HttpRejection.H2_FLOOD)).isEqualTo(1);
  }

  @Test
  void aContinuationFloodEndsTheConnectionBeforeAnyRequestGoesOut() throws Exception {
    engine.apply(config(""));
    try (RawH2Client c = RawH2Client.connect(tlsPort, pki.cert("ca"))) {
      assertGoAway(
          c,
          -1,
          x -> {
            x.frame(RawH2Client.HEADERS, 0, 1, RawH2Client.get("/flood"));
            for (int i = 0; i < 2000; i++) {
              x.frame(RawH2Client.CONTINUATION, 0, 1, new byte[0]);
            }
          });
    }
    assertThat(rejected(HttpRejection.H2_FLOOD) + rejected(HttpRejection.H2_PROTOCOL_ERROR))
        .isEqualTo(1);
    assertThat(accessLogs()).doesNotContain("/flood");
  }

  @Test
  void aHeaderListOverTheLimitNeverReachesARealServer() throws Exception {
    engine.apply(config(""));
    try (RawH2Client c = RawH2Client.connect(tlsPort, pki.cert("ca"))) {
      byte[] block = RawH2Client.get("/big", "x-big", "a".repeat(60_000));
      // Split as a client must: frames of at most 16 KiB, the last one ending the headers.
      for (int at = 0, n = 0; at < block.length; n++) {
        int len = Math.min(16384, block.length - at);
        byte[] part = Arrays.copyOfRange(block, at, at + len);
        at += len;
        int flags =
            (at == block.length ? RawH2Client.END_HEADERS : 0)
                | (n == 0 ? RawH2Client.END_STREAM : 0);
        c.frame(n == 0 ? RawH2Client.HEADERS : RawH2Client.CONTINUATION, flags, 1, part);
      }
      c.flush();
      List<RawH2Client.Frame> frames = c.read(3000);
      assertThat(frames)
          .anyMatch(f -> f.type() == RawH2Client.GOAWAY || f.type() == RawH2Client.RST_STREAM);
      assertThat(frames).noneMatch(f -> f.type() == RawH2Client.HEADERS);
    }
    assertThat(accessLogs()).doesNotContain("/big");
  }

  @Test
  void aClientCannotGrowTheHpackTableBeyondWhatTheNodeOffers() throws Exception {
    engine.apply(config(""));
    try (RawH2Client c = RawH2Client.connect(tlsPort, pki.cert("ca"))) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      RawH2Client.integer(b, 0x20, 5, 1 << 20); // dynamic table size update to 1 MiB
      b.writeBytes(RawH2Client.get("/table"));
      byte[] headers = b.toByteArray();
      assertGoAway(
          c,
          9, // COMPRESSION_ERROR
          x ->
              x.frame(
                  RawH2Client.HEADERS,
                  RawH2Client.END_HEADERS | RawH2Client.END_STREAM,
                  1,
                  headers));
    }
    assertThat(rejected(HttpRejection.H2_PROTOCOL_ERROR)).isEqualTo(1);
    assertThat(accessLogs()).doesNotContain("/table");
  }

  @Test
  void aPingFloodEndsTheConnection() throws Exception {
    controlFlood((c, i) -> c.ping(i));
  }

  @Test
  void aSettingsFloodEndsTheConnection() throws Exception {
    controlFlood((c, i) -> c.frame(RawH2Client.SETTINGS, 0, 0, new byte[0]));
  }

  private interface Control {
    void write(RawH2Client c, int i) throws Exception;
  }

  /** A thousand control frames, each of which costs the node an answer. */
  private void controlFlood(Control frame) throws Exception {
    engine.apply(config(""));
    try (RawH2Client c = RawH2Client.connect(tlsPort, pki.cert("ca"))) {
      assertGoAway(
          c,
          11,
          x -> {
            for (int i = 0; i < 1000; i++) {
              frame.write(x, i);
            }
          });
    }
    assertThat(rejected(HttpRejection.H2_FLOOD)).isEqualTo(1);
  }

  @Test
  void streamsBeyondTheConcurrentLimitAreRefused() throws Exception {
    engine.apply(config(""));
    try (RawH2Client c = RawH2Client.connect(tlsPort, pki.cert("ca"))) {
      int limit = Http2Frontend.MAX_CONCURRENT_STREAMS;
      // Requests whose bodies never come: each stream stays open.
      for (int i = 0; i <= limit; i++) {
        c.frame(RawH2Client.HEADERS, RawH2Client.END_HEADERS, 1 + 2 * i, RawH2Client.get("/who"));
      }
      c.flush();
      int over = 1 + 2 * limit;
      List<RawH2Client.Frame> frames = c.read(3000);
      // The others are answered (nginx does not wait for their bodies) and then reset (CANCEL):
      // their rest is not read.
      assertThat(frames)
          .filteredOn(f -> f.type() == RawH2Client.RST_STREAM && f.errorCode() == 7) // REFUSED
          .extracting(RawH2Client.Frame::stream)
          .containsExactly(over);
    }
  }

  /** Something the node answers with GOAWAY {@code code} (any when negative) and a close. */
  private interface Writes {
    void to(RawH2Client c) throws Exception;
  }

  private static void assertGoAway(RawH2Client c, int code, Writes writes) throws Exception {
    try {
      writes.to(c);
      c.flush();
    } catch (java.net.SocketException e) {
      // The node closed while the flood was still going out: what it said first may be lost.
      assertThat(c.closedWithin(5000)).isTrue();
      return;
    }
    List<RawH2Client.Frame> frames = c.read(5000);
    assertThat(frames).anyMatch(f -> f.type() == RawH2Client.GOAWAY);
    RawH2Client.Frame goAway =
        frames.stream().filter(f -> f.type() == RawH2Client.GOAWAY).findFirst().orElseThrow();
    if (code >= 0) {
      assertThat(goAway.errorCode()).isEqualTo(code);
    }
    assertThat(c.closedWithin(5000)).isTrue();
  }

  private String accessLogs() throws Exception {
    StringBuilder all = new StringBuilder();
    for (Nginx n : servers) {
      all.append(n.accessLog());
    }
    return all.toString();
  }

  private static String sha256(Path file) throws Exception {
    var md = PatternBytes.sha256();
    try (var in = Files.newInputStream(file)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
