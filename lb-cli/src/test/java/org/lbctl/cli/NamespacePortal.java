package org.lbctl.cli;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.lbctl.core.testing.NamespaceLab;

/**
 * A way from this machine's loopback into a lab namespace, for a browser that runs here: a relay
 * inside the namespace listens on a Unix socket (file system, not network: both sides see it) and
 * connects to the target over TCP; a loopback listener here forwards each connection to that
 * socket. Nothing is added to this machine's network configuration.
 */
final class NamespacePortal implements AutoCloseable {
  private final Process inside;
  private final ServerSocket outside;
  private final Path socket;

  private NamespacePortal(Process inside, ServerSocket outside, Path socket) {
    this.inside = inside;
    this.outside = outside;
    this.socket = socket;
  }

  /** Opens a loopback port that reaches {@code host:port} as seen from {@code namespace}. */
  static NamespacePortal open(NamespaceLab lab, String namespace, Path dir, String host, int port)
      throws IOException {
    Path socket = dir.resolve("portal-" + namespace + "-" + port + ".sock");
    Files.deleteIfExists(socket);
    Process inside =
        NamespaceJava.start(
            lab,
            namespace,
            dir.resolve("portal.log"),
            NamespacePortal.class,
            socket.toString(),
            host,
            Integer.toString(port));
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(socket) || !inside.isAlive());
    if (!inside.isAlive()) {
      throw new IOException("the relay in " + namespace + " exited: see " + dir + "/portal.log");
    }
    ServerSocket outside = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    NamespacePortal portal = new NamespacePortal(inside, outside, socket);
    daemon(portal::accept);
    return portal;
  }

  int port() {
    return outside.getLocalPort();
  }

  private void accept() {
    while (!outside.isClosed()) {
      try {
        Socket client = outside.accept();
        SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX);
        unix.connect(UnixDomainSocketAddress.of(socket));
        pipe(client.getInputStream(), writer(unix));
        pipe(reader(unix), client.getOutputStream());
      } catch (IOException e) {
        // closed, or one connection failed: the browser sees it fail
      }
    }
  }

  /** The relay's side, run inside the namespace: unix socket path, target host, target port. */
  public static void main(String[] args) throws IOException {
    InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(Path.of(args[0])));
      while (true) {
        SocketChannel in = server.accept();
        try {
          Socket out = new Socket();
          out.connect(target, 5000);
          pipe(reader(in), out.getOutputStream());
          pipe(out.getInputStream(), writer(in));
        } catch (IOException e) {
          System.out.println("cannot reach " + target + ": " + e);
          in.close();
        }
      }
    }
  }

  // Not Channels.newInputStream/newOutputStream: both take the channel's blocking lock, so a read
  // waiting for data would hold up every write the other way.
  private static InputStream reader(SocketChannel ch) {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return ch.read(ByteBuffer.wrap(b, off, len));
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  private static OutputStream writer(SocketChannel ch) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }

  private static void pipe(InputStream from, OutputStream to) {
    daemon(
        () -> {
          try (from;
              to) {
            from.transferTo(to);
          } catch (IOException e) {
            // one side closed
          }
        });
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "portal");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    outside.close();
    inside.destroyForcibly();
    Files.deleteIfExists(socket);
  }
}
