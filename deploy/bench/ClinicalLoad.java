import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load for deploy/bench/clinical.sh, run as a single source file (java ClinicalLoad.java MODE ...):
 *
 * <pre>
 *   assoc HOST PORT[,PORT...] N CALLED
 *                              N associations per port one after another, the ports taking
 *                              turns (connect, A-ASSOCIATE-RQ for Verification, AC, A-RELEASE);
 *                              prints per port "PORT p50_ms=X p99_ms=Y", the setup time in ms
 *                              (connect to AC)
 *   hl7-server PORT            an MLLP engine that answers every message MSA|AA|its MSH-10 at once
 *   hl7-load HOST PORT SENDERS SECONDS
 *                              SENDERS connections, each sending a message and waiting for its
 *                              ACK in a loop; prints messages/s, after checking every MSA-2
 *   hl7-engine PORT LOG        as hl7-server, and appends "epoch_us control_id" to LOG for every
 *                              message it receives (deploy/lab/drill.sh clinical)
 *   hl7-send HOST PORT SENDERS MESSAGES TIMEOUT_MS [PACE_MS [WINDOW]]
 *                              SENDERS senders, MESSAGES in all (control IDs S<i>M<k>, k from 1),
 *                              each sent and its ACK awaited in order; a message whose ACK does
 *                              not come within TIMEOUT_MS, or whose connection fails, is sent
 *                              again on a new connection (at least once); each sender waits
 *                              PACE_MS (default 0) between messages and keeps up to WINDOW
 *                              (default 1) unacknowledged, resending them in order on a new
 *                              connection; prints sent=N acked=N resends=R
 *                              ack_order_violations=V (an ACK that is not for its oldest
 *                              unacknowledged message) when every message is acknowledged
 * </pre>
 */
public class ClinicalLoad {
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "assoc" -> assoc(args[1], args[2], Integer.parseInt(args[3]), args[4]);
      case "hl7-server" -> hl7Server(Integer.parseInt(args[1]), null);
      case "hl7-engine" -> hl7Server(Integer.parseInt(args[1]), args[2]);
      case "hl7-send" ->
          hl7Send(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
              Integer.parseInt(args[4]), Integer.parseInt(args[5]),
              args.length > 6 ? Integer.parseInt(args[6]) : 0,
              args.length > 7 ? Integer.parseInt(args[7]) : 1);
      case "hl7-load" ->
          hl7Load(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  // --- DICOM association setup

  static void assoc(String host, String ports, int n, String called) throws IOException {
    byte[] rq = associateRequest("BENCH", called);
    int[] port = Arrays.stream(ports.split(",")).mapToInt(Integer::parseInt).toArray();
    long[][] nanos = new long[port.length][n];
    // The first quarter more warms the client up and is not counted. The ports take turns, one
    // association each, so that every path sees the same moments of the shared machine.
    for (int i = -n / 4; i < n; i++) {
      for (int p = 0; p < port.length; p++) {
        long took = associate(host, port[p], rq, i);
        if (i >= 0) {
          nanos[p][i] = took;
        }
      }
    }
    for (int p = 0; p < port.length; p++) {
      Arrays.sort(nanos[p]);
      System.out.printf("%d p50_ms=%.3f p99_ms=%.3f%n", port[p], nanos[p][n / 2] / 1e6,
          nanos[p][n * 99 / 100] / 1e6);
    }
  }

  /** One association (RQ, AC, release); returns the nanoseconds from connect to the AC. */
  static long associate(String host, int port, byte[] rq, int i) throws IOException {
    byte[] release = {5, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    long t0 = System.nanoTime();
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), 5000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      DataInputStream in = new DataInputStream(s.getInputStream());
      out.write(rq);
      int type = readPdu(in);
      long took = System.nanoTime() - t0;
      if (type != 2) {
        throw new IOException("association " + i + " to port " + port + ": PDU type " + type
            + ", not A-ASSOCIATE-AC");
      }
      out.write(release);
      readPdu(in);
      return took;
    }
  }

  static int readPdu(DataInputStream in) throws IOException {
    int type = in.readUnsignedByte();
    in.readUnsignedByte();
    int length = in.readInt();
    in.skipNBytes(length);
    return type;
  }

  static byte[] associateRequest(String calling, String called) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0, 1, 0, 0});
    body.writeBytes(title(called));
    body.writeBytes(title(calling));
    body.writeBytes(new byte[32]);
    body.writeBytes(item(0x10, "1.2.840.10008.3.1.1.1".getBytes(StandardCharsets.US_ASCII)));
    ByteArrayOutputStream pc = new ByteArrayOutputStream();
    pc.writeBytes(new byte[] {1, 0, 0, 0});
    pc.writeBytes(item(0x30, "1.2.840.10008.1.1".getBytes(StandardCharsets.US_ASCII)));
    pc.writeBytes(item(0x40, "1.2.840.10008.1.2".getBytes(StandardCharsets.US_ASCII)));
    body.writeBytes(item(0x20, pc.toByteArray()));
    body.writeBytes(item(0x50, item(0x51, new byte[] {0, 0, 0x40, 0})));
    byte[] b = body.toByteArray();
    ByteArrayOutputStream pdu = new ByteArrayOutputStream();
    pdu.writeBytes(new byte[] {1, 0});
    pdu.writeBytes(new byte[] {(byte) (b.length >> 24), (byte) (b.length >> 16),
        (byte) (b.length >> 8), (byte) b.length});
    pdu.writeBytes(b);
    return pdu.toByteArray();
  }

  static byte[] title(String t) {
    byte[] out = new byte[16];
    Arrays.fill(out, (byte) ' ');
    byte[] a = t.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(a, 0, out, 0, a.length);
    return out;
  }

  static byte[] item(int type, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(type);
    out.write(0);
    out.write(value.length >> 8);
    out.write(value.length);
    out.writeBytes(value);
    return out.toByteArray();
  }

  // --- HL7 over MLLP

  static java.io.PrintStream engineLog;

  static void hl7Server(int port, String log) throws IOException {
    if (log != null) {
      engineLog = new java.io.PrintStream(new java.io.FileOutputStream(log, true), true);
    }
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(log == null ? "127.0.0.1" : "0.0.0.0", port), 256);
      while (true) {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        Thread t = new Thread(() -> answer(s));
        t.setDaemon(true);
        t.start();
      }
    }
  }

  static void answer(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      String message;
      while ((message = readFrame(in)) != null) {
        String id = message.split("\r", 2)[0].split("\\|", -1)[9];
        if (engineLog != null) {
          java.time.Instant now = java.time.Instant.now();
          synchronized (engineLog) {
            engineLog.println((now.getEpochSecond() * 1_000_000 + now.getNano() / 1000) + " " + id);
          }
        }
        out.write(frame("MSH|^~\\&|ENGINE|HOSPITAL|EHR|HOSPITAL|20261207||ACK^A01|A" + id
            + "|P|2.5\rMSA|AA|" + id + "\r"));
        out.flush();
      }
    } catch (IOException e) {
      // the sender went away
    }
  }

  static void hl7Load(String host, int port, int senders, int seconds) throws Exception {
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < senders; t++) {
      int sender = t;
      Thread worker = new Thread(() -> {
        try (Socket s = new Socket(host, port)) {
          s.setTcpNoDelay(true);
          s.setSoTimeout(10_000);
          OutputStream out = s.getOutputStream();
          InputStream in = s.getInputStream();
          for (long i = 0; System.nanoTime() < deadline; i++) {
            String id = "S" + sender + "M" + i;
            out.write(frame("MSH|^~\\&|EHR|HOSPITAL|ENGINE|HOSPITAL|20261207||ADT^A01|" + id
                + "|P|2.5\rPID|1||" + i + "\r"));
            out.flush();
            String ack = readFrame(in);
            if (ack == null || !ack.contains("\rMSA|AA|" + id + "\r")) {
              throw new IOException("message " + id + " got " + ack);
            }
            done.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      worker.start();
      threads.add(worker);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw new IOException(failures.size() + " senders failed: " + failures.get(0));
    }
    System.out.printf("msgs_per_s=%.0f%n", done.get() / (double) seconds);
  }

  static void hl7Send(String host, int port, int senders, int messages, int timeoutMs, int paceMs,
      int window) throws Exception {
    AtomicLong acked = new AtomicLong();
    AtomicLong resends = new AtomicLong();
    AtomicLong outOfOrder = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < senders; t++) {
      int sender = t;
      int count = messages / senders + (t < messages % senders ? 1 : 0);
      Thread worker = new Thread(() -> {
        java.util.ArrayDeque<Integer> unacked = new java.util.ArrayDeque<>();
        Socket s = null;
        int next = 1;
        int done = 0;
        while (done < count) {
          try {
            if (s == null) {
              s = new Socket();
              s.setTcpNoDelay(true);
              s.connect(new InetSocketAddress(host, port), timeoutMs);
              s.setSoTimeout(timeoutMs);
              // What was not acknowledged goes again, in its order.
              for (int k : unacked) {
                s.getOutputStream().write(adt(sender, k));
              }
            }
            while (unacked.size() < window && next <= count) {
              s.getOutputStream().write(adt(sender, next));
              unacked.add(next++);
            }
            String ack = readFrame(s.getInputStream());
            String id = "S" + sender + "M" + unacked.peek();
            if (ack == null || !ack.contains("\rMSA|AA|")) {
              throw new IOException("message " + id + " got " + ack);
            }
            if (!ack.contains("\rMSA|AA|" + id + "\r")) {
              outOfOrder.incrementAndGet();
              throw new IOException("an acknowledgment out of order where " + id + "'s was due");
            }
            unacked.poll();
            done++;
            acked.incrementAndGet();
            if (paceMs > 0) {
              Thread.sleep(paceMs);
            }
          } catch (IOException | InterruptedException e) {
            // No ACK: a new connection, and what was not acknowledged again.
            resends.addAndGet(unacked.size());
            try {
              if (s != null) {
                s.close();
              }
              Thread.sleep(50);
            } catch (Exception ignored) {
              // closing anyway
            }
            s = null;
          }
        }
        try {
          if (s != null) {
            s.close();
          }
        } catch (IOException ignored) {
          // done
        }
      });
      worker.start();
      threads.add(worker);
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.printf("sent=%d acked=%d resends=%d ack_order_violations=%d%n", messages,
        acked.get(), resends.get(), outOfOrder.get());
  }

  static byte[] adt(int sender, int k) {
    return frame("MSH|^~\\&|EHR" + sender + "|HOSPITAL|ENGINE|HOSPITAL|20261207||ADT^A01|S"
        + sender + "M" + k + "|P|2.5\rPID|1||" + k + "\r");
  }

  static byte[] frame(String message) {
    byte[] m = message.getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[m.length + 3];
    out[0] = 0x0b;
    System.arraycopy(m, 0, out, 1, m.length);
    out[m.length + 1] = 0x1c;
    out[m.length + 2] = 0x0d;
    return out;
  }

  /** The next MLLP message, or null at the end of the stream. */
  static String readFrame(InputStream in) throws IOException {
    int c = in.read();
    if (c == -1) {
      return null;
    }
    if (c != 0x0b) {
      throw new IOException("byte " + c + " where a message starts");
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while ((c = in.read()) != -1) {
      if (c == 0x1c) {
        if (in.read() != 0x0d) {
          throw new IOException("end block without CR");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    throw new IOException("stream ended inside a message");
  }
}
