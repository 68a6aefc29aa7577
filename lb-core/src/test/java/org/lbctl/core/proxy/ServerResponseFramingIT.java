package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.ScriptedHttpServer;

/**
 * Responses a faulty real server can send, in HTTP mode: each is refused or cut off, and none is
 * taken for the answer to a later request (response splitting).
 */
class ServerResponseFramingIT {
  private static final String TWO = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo";
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private ScriptedHttpServer server;
  private int vipPort;

  @AfterEach
  void stop() throws IOException {
    engine.close();
    if (server != null) {
      server.close();
    }
  }

  private void serve(Map<String, String> script) throws Exception {
    server = new ScriptedHttpServer(path -> script.getOrDefault(path, TWO));
    vipPort = Ports.free();
    engine.apply(Configs.httpVip("portal", vipPort, server.port()));
  }

  @Test
  void aSecondResponseNobodyAskedForIsNotTakenForTheNextRequestsAnswer() throws Exception {
    serve(
        Map.of(
            "/one",
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
                + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      assertThat(exchange(client, "/one")).isEqualTo(new Response(200, "one"));
      assertThat(exchange(client, "/two")).isEqualTo(new Response(200, "two"));
    }
    // The connection that talked out of turn was closed, not reused.
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void twoDifferentLengthsGet502AndTheClientGoesOn() throws Exception {
    serve(Map.of("/len", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      assertThat(exchange(client, "/len").status()).isEqualTo(502);
      assertThat(exchange(client, "/two")).isEqualTo(new Response(200, "two"));
    }
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void chunkedTogetherWithALengthGets502() throws Exception {
    serve(
        Map.of(
            "/both",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      assertThat(exchange(client, "/both").status()).isEqualTo(502);
    }
  }

  @Test
  void somethingThatIsNotHttpGets502() throws Exception {
    serve(Map.of("/ssh", "SSH-2.0-OpenSSH_9.2\r\n\r\n"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      assertThat(exchange(client, "/ssh").status()).isEqualTo(502);
      assertThat(exchange(client, "/two")).isEqualTo(new Response(200, "two"));
    }
  }

  @Test
  void aBrokenChunkMidResponseCutsTheClientOff() throws Exception {
    serve(
        Map.of(
            "/cut",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nZZ\r\nmore\r\n"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      client.setSoTimeout(5000);
      send(client, "/cut");
      // The client gets what was well-formed and then the end of the connection: never a
      // terminating chunk that would pass the broken response off as complete.
      String all = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 200").contains("5\r\nhello\r\n");
      assertThat(all.substring(all.indexOf("hello"))).doesNotContain("0\r\n\r\n");
    }
  }

  @Test
  void responseHeadersAsLargeAsARequestsMayBeGoThroughLargerOnesGet502() throws Exception {
    String cookie = "x".repeat(20_000);
    String huge = "y".repeat(40_000);
    serve(
        Map.of(
            "/big",
            "HTTP/1.1 200 OK\r\nSet-Cookie: s=" + cookie + "\r\nContent-Length: 3\r\n\r\nbig",
            "/huge",
            "HTTP/1.1 200 OK\r\nSet-Cookie: s=" + huge + "\r\nContent-Length: 4\r\n\r\nhuge"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      assertThat(exchange(client, "/big")).isEqualTo(new Response(200, "big"));
      assertThat(exchange(client, "/huge").status()).isEqualTo(502);
      assertThat(exchange(client, "/two")).isEqualTo(new Response(200, "two"));
    }
  }

  @Test
  void aResponseThatRunsToTheServersCloseEndsTheClientsConnectionToo() throws Exception {
    serve(Map.of("/close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      client.setSoTimeout(5000);
      send(client, "/close");
      // The client cannot tell where such a body ends but by the close: it must get one.
      String all = new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nall of it");
      assertThat(all.toLowerCase(Locale.ROOT)).contains("connection: close");
    }
  }

  @Test
  void responseTrailersGoOnOrAreDroppedAsTheVirtualServiceSays() throws Exception {
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n"
            + "X-Checksum: 1234\r\n\r\n";
    serve(Map.of("/t", chunked));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      assertThat(rawExchange(client, "/t")).contains("0\r\nX-Checksum: 1234\r\n\r\n");
    }
    engine.apply(Configs.httpVip("portal", vipPort, server.port(), "trailers: drop"));
    try (Socket client = new Socket("127.0.0.1", vipPort)) {
      String dropped = rawExchange(client, "/t");
      assertThat(dropped).contains("3\r\ntwo\r\n0\r\n\r\n").doesNotContain("X-Checksum");
    }
  }

  /** A request and the raw bytes of its chunked response, up to the end of its trailers. */
  private static String rawExchange(Socket s, String path) throws IOException {
    s.setSoTimeout(5000);
    send(s, path);
    InputStream in = s.getInputStream();
    StringBuilder all = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      all.append((char) b);
      int zero = all.indexOf("\r\n0\r\n");
      if (zero >= 0 && all.indexOf("\r\n\r\n", zero + 2) >= 0) {
        break;
      }
    }
    return all.toString();
  }

  record Response(int status, String body) {}

  private static void send(Socket s, String path) throws IOException {
    s.getOutputStream()
        .write(
            ("GET " + path + " HTTP/1.1\r\nHost: portal\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
  }

  /** One request and its response (Content-Length or chunked body). */
  private static Response exchange(Socket s, String path) throws IOException {
    s.setSoTimeout(5000);
    send(s, path);
    InputStream in = s.getInputStream();
    String head = readHead(in);
    int status = Integer.parseInt(head.split(" ", 3)[1]);
    String lower = head.toLowerCase(Locale.ROOT);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (lower.contains("transfer-encoding: chunked")) {
      int size;
      while ((size = Integer.parseInt(readLine(in).strip(), 16)) > 0) {
        body.write(in.readNBytes(size));
        readLine(in);
      }
      readLine(in);
    } else {
      int at = lower.indexOf("content-length:");
      int length =
          at < 0
              ? 0
              : Integer.parseInt(lower.substring(at + 15, lower.indexOf("\r\n", at)).strip());
      body.write(in.readNBytes(length));
    }
    return new Response(
        status, status == 200 ? body.toString(StandardCharsets.ISO_8859_1) : "(error)");
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    String line;
    while (!(line = readLine(in)).isEmpty()) {
      head.append(line).append("\r\n");
    }
    return head.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.append((char) b);
    }
    if (b < 0 && line.isEmpty()) {
      throw new IOException("connection closed");
    }
    return line.toString().replace("\r", "");
  }
}
