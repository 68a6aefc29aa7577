package org.lbctl.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTP/2 client that writes frames as given, byte for byte, for the faults a well-behaved client
 * library never sends (floods of resets, PINGs, CONTINUATION frames; oversized header lists).
 * Frames are written as RFC 9113 §4 lays them out; header blocks are built by hand with HPACK's
 * static table and literals (RFC 7541), never indexed, so no dynamic table is needed.
 */
public final class RawH2Client implements AutoCloseable {
  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int RST_STREAM = 3;
  public static final int SETTINGS = 4;
  public static final int PING = 6;
  public static final int GOAWAY = 7;
  public static final int CONTINUATION = 9;

  public static final int END_STREAM = 0x1;
  public static final int END_HEADERS = 0x4;

  /** A frame read from the server. */
  public record Frame(int type, int flags, int stream, byte[] payload) {
    /** A GOAWAY's or RST_STREAM's error code. */
    public int errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xff) << 24)
          | ((payload[at + 1] & 0xff) << 16)
          | ((payload[at + 2] & 0xff) << 8)
          | (payload[at + 3] & 0xff);
    }
  }

  private final SSLSocket socket;
  private final OutputStream out;
  private final DataInputStream in;

  private RawH2Client(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects over TLS with ALPN {@code h2} (failing unless the server chose it) and greets. */
  public static RawH2Client connect(int port, Path caCert) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream ca = Files.newInputStream(caCert)) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(p);
    s.setSoTimeout(5000);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      s.close();
      throw new IOException("the server chose " + s.getApplicationProtocol() + ", not h2");
    }
    RawH2Client c = new RawH2Client(s);
    c.out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    c.frame(SETTINGS, 0, 0, new byte[0]);
    c.flush();
    return c;
  }

  /** Writes one frame (buffered until {@link #flush()}). */
  public RawH2Client frame(int type, int flags, int stream, byte[] payload) throws IOException {
    int n = payload.length;
    out.write(
        new byte[] {(byte) (n >>> 16), (byte) (n >>> 8), (byte) n, (byte) type, (byte) flags});
    out.write(
        new byte[] {
          (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream
        });
    out.write(payload);
    return this;
  }

  public void flush() throws IOException {
    out.flush();
  }

  /** An RST_STREAM with CANCEL. */
  public RawH2Client reset(int stream) throws IOException {
    return frame(RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8});
  }

  public RawH2Client ping(long data) throws IOException {
    byte[] p = new byte[8];
    for (int i = 0; i < 8; i++) {
      p[i] = (byte) (data >>> (56 - 8 * i));
    }
    return frame(PING, 0, 0, p);
  }

  /** The header block of a GET of {@code path} on https, with extra literal headers. */
  public static byte[] get(String path, String... nameValues) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x82); // :method GET
    b.write(0x87); // :scheme https
    literal(b, 4, null, path); // :path
    literal(b, 1, null, "localhost"); // :authority
    for (int i = 0; i < nameValues.length; i += 2) {
      literal(b, 0, nameValues[i], nameValues[i + 1]);
    }
    return b.toByteArray();
  }

  /** A literal header field without indexing, by static-table name index or a new name. */
  public static void literal(ByteArrayOutputStream b, int nameIndex, String name, String value) {
    integer(b, 0x00, 4, nameIndex);
    if (name != null) {
      string(b, name);
    }
    string(b, value);
  }

  private static void string(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    integer(b, 0x00, 7, bytes.length);
    b.writeBytes(bytes);
  }

  /** An HPACK integer (RFC 7541 §5.1) with an {@code prefixBits}-bit prefix after {@code first}. */
  public static void integer(ByteArrayOutputStream b, int first, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      b.write(first | value);
      return;
    }
    b.write(first | max);
    value -= max;
    while (value >= 128) {
      b.write((value % 128) + 128);
      value /= 128;
    }
    b.write(value);
  }

  /**
   * Frames from the server until it closes the connection, sends GOAWAY, or is silent for {@code
   * millis}.
   */
  public List<Frame> read(long millis) throws IOException {
    List<Frame> frames = new ArrayList<>();
    long end = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < end) {
      socket.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
      try {
        int len =
            (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[len];
        in.readFully(payload);
        Frame f = new Frame(type, flags, stream, payload);
        frames.add(f);
        if (type == GOAWAY) {
          return frames;
        }
      } catch (SocketTimeoutException | EOFException e) {
        return frames;
      } catch (IOException e) {
        // Reset by the server.
        return frames;
      }
    }
    return frames;
  }

  /** Whether the server has closed the connection (reads end) within {@code millis}. */
  public boolean closedWithin(long millis) throws IOException {
    long end = System.currentTimeMillis() + millis;
    byte[] sink = new byte[16384];
    while (System.currentTimeMillis() < end) {
      socket.setSoTimeout((int) Math.max(1, end - System.currentTimeMillis()));
      try {
        if (in.read(sink) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
