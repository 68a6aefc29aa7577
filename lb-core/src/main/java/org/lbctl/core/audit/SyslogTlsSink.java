package org.lbctl.core.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.lbctl.core.config.AuditSyslog;
import org.lbctl.core.tls.PemTrust;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each audit entry to a syslog server over TLS (RFC 5425: octet-counted RFC 5424 messages),
 * facility authpriv, severity notice for a change and warning for a refusal. The server's
 * certificate must chain to the configured CA and name the server. Entries wait in a queue of
 * {@value #CAPACITY} while the server is unreachable and go out in order once it is back (the
 * oldest are dropped, and counted, when the queue is full); the audit file stays the complete
 * record. Sending runs on a thread of its own: a slow server never holds up the API.
 */
public final class SyslogTlsSink implements Consumer<AuditEntry>, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SyslogTlsSink.class);
  static final int CAPACITY = 10_000;
  private static final int AUTHPRIV = 10;
  private static final int DAEMON = 3;
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final AuditSyslog target;
  private final SSLContext tls;
  private final String hostname;
  // Messages formatted when they come, so the order of audit entries and events is kept.
  private final BlockingDeque<String> queue = new LinkedBlockingDeque<>(CAPACITY);
  private final Thread sender;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicLong sent =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong failures =
      new java.util.concurrent.atomic.AtomicLong();
  private long dropped;
  private SSLSocket socket;

  public SyslogTlsSink(AuditSyslog target, String hostname) throws IOException {
    this.target = target;
    this.hostname = hostname.isBlank() ? "-" : hostname;
    this.tls = trusting(target);
    this.sender = new Thread(this::run, "lb-audit-syslog");
    sender.setDaemon(true);
    sender.start();
    log.info(
        "audit log also goes to syslog over TLS at {} ({})", target.address(), target.serverName());
  }

  @Override
  public void accept(AuditEntry e) {
    enqueue(format(e, hostname));
  }

  /**
   * A status change (what {@code GET /v1/events} streams) as a daemon message: a notice when
   * something came up or back online or the configuration moved on, a warning otherwise.
   */
  public void event(org.lbctl.core.events.Event e) {
    // A notice when something came up or back online or the configuration moved on; anything
    // else (down, drained, halted, to the fallback, a role or group moving) is a warning.
    String to = e.field("to");
    boolean worse = !(to.equals("up") || to.equals("online") || e.type().equals("config"));
    enqueue(
        "<"
            + (DAEMON * 8 + (worse ? 4 : 5))
            + ">1 "
            + java.time.Instant.now()
            + " "
            + hostname
            + " lbctl - "
            + e.type()
            + " - "
            + e.json());
  }

  private void enqueue(String e) {
    synchronized (queue) {
      while (!queue.offerLast(e)) {
        queue.pollFirst();
        if (dropped++ % 1000 == 0) {
          log.warn(
              "audit syslog {}: queue full, oldest entries dropped ({} so far); they are in the"
                  + " audit file",
              target.address(),
              dropped);
        }
      }
    }
  }

  private void run() {
    Duration backoff = Duration.ofSeconds(1);
    while (!closed) {
      String e;
      try {
        e = queue.pollFirst(1, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      }
      if (e == null) {
        continue;
      }
      try {
        send(e);
        sent.incrementAndGet();
        backoff = Duration.ofSeconds(1);
      } catch (IOException ex) {
        queue.offerFirst(e);
        failures.incrementAndGet();
        disconnect();
        log.warn(
            "audit syslog {}: {}; {} entries wait, retrying in {} s",
            target.address(),
            ex.getMessage(),
            queue.size(),
            backoff.toSeconds());
        try {
          Thread.sleep(backoff.toMillis()); // back off between reconnects, not a synchronisation
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private void send(String e) throws IOException {
    if (socket != null && closedByServer()) {
      disconnect();
    }
    if (socket == null) {
      connect();
    }
    byte[] msg = e.getBytes(StandardCharsets.UTF_8);
    OutputStream out = socket.getOutputStream();
    out.write((msg.length + " ").getBytes(StandardCharsets.US_ASCII));
    out.write(msg);
    out.flush();
  }

  /** One RFC 5424 message: {@code <PRI>1 TIMESTAMP HOST lbctl - audit - JSON}. */
  static String format(AuditEntry e, String hostname) {
    int severity = e.status() / 100 == 2 ? 5 : 4;
    return "<"
        + (AUTHPRIV * 8 + severity)
        + ">1 "
        + e.time()
        + " "
        + hostname
        + " lbctl - audit - "
        + AuditLog.toJson(e);
  }

  private void connect() throws IOException {
    java.net.Socket plain = new java.net.Socket();
    try {
      plain.connect(target.address(), 5000);
      plain.setSoTimeout(10_000);
      // Layered over the connection under the server's name: the certificate must hold that name
      // (or the address), checked as a browser checks a web server's.
      SSLSocket s =
          (SSLSocket)
              tls.getSocketFactory()
                  .createSocket(plain, target.serverName(), target.address().getPort(), true);
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      s.startHandshake();
      socket = s;
      log.info("audit syslog {}: connected", target.address());
    } catch (IOException e) {
      plain.close();
      throw e;
    }
  }

  /**
   * Whether the server has closed the connection. Syslog over TLS has no acknowledgements, and a
   * write into a connection the server already closed would seem to succeed and be lost: so before
   * each entry, a read of a millisecond looks for the server's close.
   */
  private boolean closedByServer() {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() < 0;
    } catch (java.net.SocketTimeoutException alive) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      try {
        if (socket != null) {
          socket.setSoTimeout(10_000);
        }
      } catch (IOException e) {
        // the next write finds out
      }
    }
  }

  private void disconnect() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException e) {
        // gone already
      }
      socket = null;
    }
  }

  private static SSLContext trusting(AuditSyslog target) throws IOException {
    try {
      return PemTrust.context(target.caFile());
    } catch (IOException e) {
      throw new IOException("auditSyslog.caFile " + e.getMessage(), e);
    }
  }

  /** Entries the server took. */
  public long sent() {
    return sent.get();
  }

  /** Attempts that failed (connection, handshake or write). */
  public long failures() {
    return failures.get();
  }

  /** Entries not yet sent. */
  public int pending() {
    return queue.size();
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
    disconnect();
  }

  static String localHostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "-";
    }
  }
}
