package org.lbctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Calls the node's management API over its Unix socket: one HTTP/1.1 request per call. */
final class UnixSocketClient implements ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path socket;

  UnixSocketClient(Path socket) {
    this.socket = socket;
  }

  @Override
  public Answer call(String method, String path, String jsonBody) throws IOException {
    byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: lbctl\r\nConnection: close\r\nContent-Type: application/json\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n\r\n";
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        throw new IOException(
            "cannot reach the node at "
                + socket
                + " ("
                + e.getMessage()
                + "); is 'lbctl run' running, and may you read its socket?",
            e);
      }
      ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
      ch.write(ByteBuffer.wrap(body));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (ch.read(buf) >= 0) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      return parse(out.toByteArray());
    }
  }

  private static Answer parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.UTF_8);
    int split = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || split < 0) {
      throw new IOException("the node sent a malformed answer");
    }
    int status = Integer.parseInt(text.substring(9, 12));
    String body = text.substring(split + 4);
    return new Answer(status, body.isEmpty() ? JSON.nullNode() : JSON.readTree(body));
  }
}
