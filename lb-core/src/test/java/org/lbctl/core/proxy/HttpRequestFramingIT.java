package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Nginx;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.RecordingServer;

/**
 * Request framing in HTTP mode, against real servers: a chunked body that cannot be framed is
 * answered 400 and the real server never gets that request whole, however much of it was already on
 * its way; what RFC 9112 allows (chunk extensions, trailers, upper-case hex, leading zeros) goes
 * through intact; pipelined requests are answered in order, also while the first one's connection
 * is still being made.
 */
class HttpRequestFramingIT {
  @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir;
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private int vipPort;
  private HttpServer echo;
  private RecordingServer recorder;

  @BeforeEach
  void start() throws Exception {
    vipPort = Ports.free();
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    if (echo != null) {
      echo.stop(0);
    }
    if (recorder != null) {
      recorder.close();
    }
  }

  private void vip(int serverPort) throws Exception {
    engine.apply(Configs.httpVip("portal", vipPort, serverPort));
  }

  /** The JDK's HTTP server: answers each request with its path and its body's length and hash. */
  private int echoServer() throws IOException {
    echo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    echo.createContext(
        "/",
        x -> {
          byte[] body = x.getRequestBody().readAllBytes();
          String answer;
          try {
            answer =
                x.getRequestURI().getPath()
                    + " "
                    + body.length
                    + " "
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body))
                    + "\n";
          } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
          }
          byte[] out = answer.getBytes(StandardCharsets.US_ASCII);
          x.sendResponseHeaders(200, out.length);
          x.getResponseBody().write(out);
          x.close();
        });
    echo.start();
    return echo.getAddress().getPort();
  }

  /** An nginx on loopback with {@code locations} in its server block. */
  private Nginx nginx(String locations) throws Exception {
    int port = Ports.free();
    return Nginx.withServer(
        "rs1", dir, "listen 127.0.0.1:%d;\n%s\n".formatted(port, locations), port);
  }

  private static String sha256(String s) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.ISO_8859_1)));
  }

  /**
   * Sends {@code first}, waits for {@code waitFor} to hold, sends {@code then}; reads to the end.
   */
  private String exchange(String first, Runnable waitFor, String then) throws Exception {
    try (Socket s = new Socket("127.0.0.1", vipPort)) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(first.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      waitFor.run();
      if (!then.isEmpty()) {
        out.write(then.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static final String CHUNKED_HEAD =
      "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

  static Stream<Arguments> malformedBodies() {
    return Stream.of(
        Arguments.of("a chunk size that is not hexadecimal", "zz\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("chunk data longer than its size", "5\r\nhelloEXTRA\r\n0\r\n\r\n"),
        Arguments.of("no CRLF after the chunk data", "5\r\nhello0\r\n\r\n"),
        Arguments.of("a trailer line without a colon", "0\r\nno colon here\r\n\r\n"),
        Arguments.of("a chunk size past 2^63", "fffffffffffffffffffff\r\nx\r\n0\r\n\r\n"),
        Arguments.of("a chunk size with a sign", "+5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of("a chunk size in 0x form", "0x5\r\nhello\r\n0\r\n\r\n"),
        Arguments.of(
            "a chunk extension longer than a request line may be",
            "5;x=" + "e".repeat(9000) + "\r\nhello\r\n0\r\n\r\n"),
        Arguments.of(
            "more trailer fields than headers may be", "0\r\n" + "X-T: 1\r\n".repeat(101) + "\r\n"),
        Arguments.of(
            "trailers larger than headers may be",
            "0\r\nX-Big: " + "t".repeat(40_000) + "\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedBodies")
  void aBodyThatCannotBeFramedGets400AndTheServerNeverGetsTheRequestWhole(String what, String rest)
      throws Exception {
    recorder = new RecordingServer();
    vip(recorder.port());
    // A good first chunk, on its way to the server before the bad part comes.
    String answer = exchange(CHUNKED_HEAD + "5\r\nhello\r\n", () -> serverGot("hello"), rest);
    assertThat(answer).as(what).startsWith("HTTP/1.1 400 Bad Request");
    assertThat(
            engine
                .services()
                .get("portal")
                .counters()
                .rejected()
                .get(org.lbctl.core.http.HttpRejection.MALFORMED_BODY))
        .isEqualTo(1);
    assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
    serverNeverGotItWhole();
  }

  @Test
  void aBadBodyBeforeTheServerIsReachedNeverReachesIt() throws Exception {
    recorder = new RecordingServer();
    vip(recorder.port());
    String answer = exchange(CHUNKED_HEAD + "5\r\nhello\r\nzz\r\n", () -> {}, "");
    assertThat(answer).startsWith("HTTP/1.1 400 Bad Request");
    serverNeverGotItWhole();
  }

  static Stream<Arguments> wellFormedBodies() {
    return Stream.of(
        Arguments.of("chunk extensions", "5;name=value;other=\"q\"\r\nhello\r\n0;last\r\n\r\n"),
        Arguments.of("upper-case hex", "A\r\nhellohello\r\n0\r\n\r\n"),
        Arguments.of("leading zeros", "0005\r\nhello\r\n000\r\n\r\n"),
        Arguments.of("several chunks", "2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wellFormedBodies")
  void whatTheGrammarAllowsGoesThroughWhole(String what, String body) throws Exception {
    vip(echoServer());
    String answer =
        exchange(
            CHUNKED_HEAD.replace("Host: a", "Host: a\r\nConnection: close") + body, () -> {}, "");
    String expected = body.contains("hellohello") ? "hellohello" : "hello";
    assertThat(answer)
        .as(what)
        .startsWith("HTTP/1.1 200")
        .contains("/upload " + expected.length() + " " + sha256(expected));
  }

  /** The JDK's server reads no trailers; nginx does. */
  @Test
  void aTrailerGoesThroughToAServerThatReadsIt() throws Exception {
    try (Nginx nginx = nginx("location / { return 200 \"got it\\n\"; }")) {
      vip(nginx.port());
      String answer =
          exchange(
              CHUNKED_HEAD.replace("Host: a", "Host: a\r\nConnection: close")
                  + "5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n",
              () -> {},
              "");
      assertThat(answer).startsWith("HTTP/1.1 200").contains("got it");
      assertThat(nginx.accessLog()).contains("POST /upload HTTP/1.1");
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWhileTheFirstConnectionIsStillBeingMade()
      throws Exception {
    vip(echoServer());
    String answer =
        exchange(
            "GET /p/1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /p/2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /p/3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nhe\r\n3\r\nllo\r\n0\r\n\r\n"
                + "GET /p/4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            () -> {},
            "");
    List<String> lines = answer.lines().filter(l -> l.startsWith("/p/")).toList();
    assertThat(lines)
        .containsExactly(
            "/p/1 0 " + sha256(""),
            "/p/2 5 " + sha256("hello"),
            "/p/3 5 " + sha256("hello"),
            "/p/4 0 " + sha256(""));
    assertThat(answer).doesNotContain(" 503 ");
  }

  /** nginx after one request per connection closes it: the client's connection goes on. */
  @Test
  void aServerThatClosesAfterEachResponseLeavesTheClientsConnectionOpen() throws Exception {
    try (Nginx nginx = nginx("keepalive_requests 1;\nlocation / { return 200 \"$uri\\n\"; }")) {
      vip(nginx.port());
      String answer =
          exchange(
              "GET /k/1 HTTP/1.1\r\nHost: a\r\n\r\n"
                  + "GET /k/2 HTTP/1.1\r\nHost: a\r\n\r\n"
                  + "GET /k/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
              () -> {},
              "");
      assertThat(answer.lines().filter(l -> l.startsWith("/k/")).toList())
          .containsExactly("/k/1", "/k/2", "/k/3");
      assertThat(nginx.accessLog().lines().filter(l -> l.contains("/k/")).count()).isEqualTo(3);
    }
  }

  /** Refused mid-upload: the answer arrives, not a reset that would destroy it. */
  @Test
  void aClientRefusedInTheMiddleOfAnUploadReadsTheAnswer() throws Exception {
    vip(Ports.free()); // nobody listens there: 503
    try (Socket s = new Socket("127.0.0.1", vipPort)) {
      s.setSoTimeout(15_000);
      java.util.concurrent.CompletableFuture<Void> upload =
          java.util.concurrent.CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = s.getOutputStream();
                  out.write(
                      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 8388608\r\n\r\n"
                          .getBytes(StandardCharsets.ISO_8859_1));
                  byte[] block = new byte[65536];
                  for (int i = 0; i < 128; i++) {
                    out.write(block);
                  }
                } catch (IOException refused) {
                  // The proxy stops reading at some point: expected.
                }
              });
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 503 Service Unavailable");
      upload.get(20, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void aConnectionHeaderThatWouldDropTheFramingIsRefused() throws Exception {
    vip(echoServer());
    for (String named : List.of("Content-Length", "transfer-encoding", "Host")) {
      String answer =
          exchange(
              "POST /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, "
                  + named
                  + "\r\nContent-Length: 5\r\n\r\nhello",
              () -> {},
              "");
      assertThat(answer).as(named).startsWith("HTTP/1.1 400 Bad Request");
    }
  }

  /** RFC 9112 §6.1; Netty's decoder refuses it already (kept as a guard). */
  @Test
  void http10WithTransferEncodingIsRefused() throws Exception {
    vip(echoServer());
    String answer =
        exchange(
            "POST /x HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            () -> {},
            "");
    assertThat(answer).startsWith("HTTP/1.1 400 Bad Request");
  }

  private void vipWithBodyLimit(int serverPort) throws Exception {
    vipWith("maxRequestBody: 1KiB", serverPort);
  }

  /** The one-server HTTP VIP with one more line of its settings. */
  private void vipWith(String setting, int serverPort) throws Exception {
    engine.apply(Configs.httpVip("portal", vipPort, serverPort, setting));
  }

  private long tooLarge() {
    return engine
        .services()
        .get("portal")
        .counters()
        .rejected()
        .getOrDefault(org.lbctl.core.http.HttpRejection.BODY_TOO_LARGE, 0L);
  }

  @Test
  void aDeclaredBodyOverTheLimitGets413AndNothingReachesTheServer() throws Exception {
    recorder = new RecordingServer();
    vipWithBodyLimit(recorder.port());
    String answer =
        exchange(
            "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n" + "x".repeat(1025),
            () -> {},
            "");
    assertThat(answer).startsWith("HTTP/1.1 413 Request Entity Too Large");
    assertThat(recorder.connections()).isEmpty();
    assertThat(tooLarge()).isEqualTo(1);
  }

  @Test
  void aChunkedBodyThatGrowsOverTheLimitGets413AndTheServerNeverGetsItWhole() throws Exception {
    recorder = new RecordingServer();
    vipWithBodyLimit(recorder.port());
    String answer =
        exchange(
            CHUNKED_HEAD + "400\r\n" + "x".repeat(1024) + "\r\n",
            () -> serverGot("xxxxxxxx"),
            "1\r\ny\r\n0\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 413 Request Entity Too Large");
    assertThat(tooLarge()).isEqualTo(1);
    serverNeverGotItWhole();
  }

  @Test
  void aBodyAtTheLimitGoesThrough() throws Exception {
    vipWithBodyLimit(echoServer());
    String body = "z".repeat(1024);
    String answer =
        exchange(
            "POST /up HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 1024\r\n\r\n"
                + body,
            () -> {},
            "");
    assertThat(answer).startsWith("HTTP/1.1 200").contains("/up 1024 " + sha256(body));
    assertThat(tooLarge()).isZero();
  }

  /** Every connection the server had is closed, and none carried a body's last chunk. */
  private void serverNeverGotItWhole() {
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(recorder.connections())
                    .allSatisfy(
                        c -> {
                          assertThat(c.ended()).as("the server's connection is closed").isTrue();
                          assertThat(c.bytes())
                              .as("never the last chunk")
                              .doesNotContain("0\r\n\r\n");
                        }));
  }

  /** Waits until part of the request, {@code bytes}, is with the server. */
  private void serverGot(String bytes) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> recorder.connections().stream().anyMatch(c -> c.bytes().contains(bytes)));
  }

  @Test
  void trailersGoOnOrAreDroppedAsTheVirtualServiceSays() throws Exception {
    String request = CHUNKED_HEAD + "5\r\nhello\r\n0\r\nX-Checksum: 1234\r\n\r\n";
    recorder = new RecordingServer();
    vip(recorder.port());
    sendUntilServerGot(request, "\r\n0\r\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> recorder.connections().stream().anyMatch(c -> c.bytes().endsWith("\r\n\r\n")));
    assertThat(recorder.connections()).anyMatch(c -> c.bytes().contains("X-Checksum: 1234"));
    recorder.close();

    recorder = new RecordingServer();
    vipWith("trailers: drop", recorder.port());
    sendUntilServerGot(request, "hello\r\n0\r\n\r\n");
    assertThat(recorder.connections()).noneMatch(c -> c.bytes().contains("X-Checksum"));
  }

  /** Sends {@code request} and waits until the server has {@code bytes}; nothing is answered. */
  private void sendUntilServerGot(String request, String bytes) throws Exception {
    try (Socket s = new Socket("127.0.0.1", vipPort)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      serverGot(bytes);
    }
  }
}
