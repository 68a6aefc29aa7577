package org.lbctl.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking client for tests: the far end of a connection through the proxy. */
public final class TestClient implements AutoCloseable {
  private final Socket socket;

  private TestClient(Socket socket) {
    this.socket = socket;
  }

  public static TestClient connect(int port) throws IOException {
    return connect("127.0.0.1", port);
  }

  public static TestClient connect(String host, int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(host, port), 5000);
    s.setSoTimeout(10_000);
    return new TestClient(s);
  }

  /** Connects from {@code source} (any 127/8 address on loopback) and reads the first line. */
  public static String greetingFrom(String source, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(source, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    s.setSoTimeout(10_000);
    try (TestClient c = new TestClient(s)) {
      return c.readLine();
    }
  }

  /** Connects and returns the first line the server says ({@code name:port}). */
  public static String greeting(int port) throws IOException {
    try (TestClient c = connect(port)) {
      return c.readLine();
    }
  }

  public Socket socket() {
    return socket;
  }

  public String readLine() throws IOException {
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed after '" + line + "'");
      }
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  public void send(String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** True when the peer closed (EOF or reset) before {@code timeoutMillis}. */
  public boolean closedByPeer(int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    try {
      return socket.getInputStream().read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
