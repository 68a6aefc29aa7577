package org.lbctl.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real server that answers each request with the bytes a script gives for its path, exactly as
 * given: the broken responses (two lengths, a second unasked response, garbage) that no real server
 * writes on purpose but a faulty one can. Counts connections and keeps the paths it saw.
 */
public final class ScriptedHttpServer implements AutoCloseable {
  private final ServerSocket socket;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final Function<String, String> script;

  /**
   * @param script the raw response (ISO-8859-1) for a request path
   */
  public ScriptedHttpServer(Function<String, String> script) throws IOException {
    this.script = script;
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.submit(this::acceptLoop);
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return connections.get();
  }

  /** The request paths received, in order. */
  public List<String> paths() {
    return List.copyOf(paths);
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        connections.incrementAndGet();
        open.add(s);
        threads.submit(() -> serve(s));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      String head;
      while ((head = readHead(in)) != null) {
        String path = head.split(" ", 3)[1];
        paths.add(path);
        String response = script.apply(path);
        s.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        if (response.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n")) {
          // A response that says so ends with the connection (its body may run to the close).
          return;
        }
      }
    } catch (IOException | RuntimeException gone) {
      // The proxy closed the connection: that is what some tests expect.
    }
  }

  /** A request's head up to the blank line (the tests send no bodies), or null at the end. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      last4 = (last4 << 8) | b;
      if (last4 == 0x0d0a0d0a) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
  }
}
