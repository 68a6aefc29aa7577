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

/**
 * A real server that answers nothing and keeps every byte each connection brought, until that
 * connection ends: what a proxy let through of a request it should have stopped.
 */
public final class RecordingServer implements AutoCloseable {
  /** One connection: the bytes it carried, and whether the proxy has closed it. */
  public record Connection(String bytes, boolean ended) {}

  private final ServerSocket socket;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();
  private final List<Boolean> ended = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  public RecordingServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.submit(this::acceptLoop);
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** Every connection so far, in the order they came. */
  public List<Connection> connections() {
    List<Connection> all = new java.util.ArrayList<>();
    for (int i = 0; i < received.size(); i++) {
      ByteArrayOutputStream b = received.get(i);
      synchronized (b) {
        all.add(new Connection(b.toString(StandardCharsets.ISO_8859_1), ended.get(i)));
      }
    }
    return all;
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        open.add(s);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int index;
        synchronized (this) {
          received.add(b);
          ended.add(false);
          index = received.size() - 1;
        }
        threads.submit(() -> record(s, b, index));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void record(Socket s, ByteArrayOutputStream b, int index) {
    try (s) {
      InputStream in = s.getInputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        synchronized (b) {
          b.write(buf, 0, n);
        }
      }
      ended.set(index, true);
    } catch (IOException reset) {
      ended.set(index, true);
    }
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
