package org.lbctl.cluster.node;

import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import org.lbctl.core.api.HttpsFront;
import org.lbctl.core.api.Lanes;
import org.lbctl.core.api.ManagementApi;
import org.lbctl.core.api.ManagementServer;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.api.WebUi;
import org.lbctl.core.audit.AuditLog;
import org.lbctl.core.audit.SyslogTlsSink;
import org.lbctl.core.auth.AccountBook;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.Authenticator;
import org.lbctl.core.auth.Directory;
import org.lbctl.core.auth.UserStore;
import org.lbctl.core.config.ManagementHttps;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.events.EventHub;
import org.lbctl.core.events.StatusEvents;
import org.lbctl.core.history.StatusHistory;
import org.lbctl.core.snmp.SnmpAgent;
import org.lbctl.core.tls.ManagementCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's management side: its users and API tokens, the audit log, the two listeners (the Unix
 * socket and HTTPS) in front of one API, and the read-only SNMP agent. Users, tokens, the audit log
 * and a generated certificate live in the state directory, beside the configuration file; a node on
 * its embedded configuration keeps users and tokens in memory and its certificate in a temporary
 * directory.
 */
final class Management implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Management.class);

  private final UserStore users;
  private final ApiTokens tokens;
  private final AccountBook book;
  private final AuditLog audit;
  // A worker per listener for reads and one for changes, so that the node's own administrator on
  // the Unix socket never waits in a queue behind remote callers, and a status or a scrape never
  // behind a change (a pairing or a join may wait on its peer for half a minute). Changes still
  // run one at a time (the API's change lock). Queues are bounded (each connection has at most
  // one request in one): past that, 503 and Retry-After.
  private final ExecutorService worker = worker("lb-mgmt", 256);
  private final ExecutorService remoteWorker = worker("lb-mgmt-https", 256);
  private final ExecutorService changes = worker("lb-mgmt-changes", 32);
  private final ExecutorService remoteChanges = worker("lb-mgmt-https-changes", 32);
  // Password checks from afar: apart, so that guesses never hold up a token or a session.
  private final org.lbctl.core.api.PasswordLane passwords = new org.lbctl.core.api.PasswordLane();
  private ManagementServer unix;
  private ManagementServer https;
  private SnmpAgent snmp;
  // Status changes for GET /v1/events.
  private final EventHub events = new EventHub();
  private StatusEvents statusEvents;
  private StatusHistory history;
  private SyslogTlsSink syslog;
  private Path scratch;

  private static ExecutorService worker(String name, int queue) {
    return new java.util.concurrent.ThreadPoolExecutor(
        1,
        1,
        0,
        java.util.concurrent.TimeUnit.MILLISECONDS,
        new java.util.concurrent.LinkedBlockingQueue<>(queue),
        new DefaultThreadFactory(name));
  }

  private Management(Optional<Path> stateDir) throws IOException {
    this.users = UserStore.open(stateDir.map(d -> d.resolve("users.json")));
    this.tokens = ApiTokens.open(stateDir.map(d -> d.resolve("tokens.json")));
    this.book =
        AccountBook.open(users, tokens, stateDir.map(d -> d.resolve("accounts-version.json")));
    this.audit = new AuditLog(stateDir.map(d -> d.resolve("audit.log")));
  }

  /**
   * Opens the users, tokens and audit log, hands them to {@code opened}, then opens the listeners:
   * a request that arrives at once finds the accounts it changes.
   */
  static Management start(
      NodeConfig local, NodeControl node, java.util.function.Consumer<Management> opened)
      throws IOException {
    Optional<Path> stateDir = local.configFile().map(f -> f.toAbsolutePath().getParent());
    Management m = new Management(stateDir);
    opened.accept(m);
    try {
      if (local.auditSyslog().isPresent()) {
        m.syslog = new SyslogTlsSink(local.auditSyslog().get(), node.status().node());
        m.audit.addSink(m.syslog);
        m.events.addSink(m.syslog::event);
      }
      m.statusEvents = new StatusEvents(node::status, m.events).start();
      m.history = new StatusHistory(node::status).start();
      ManagementApi api = new ManagementApi(node, m.audit, m.events, m.history);
      m.unix =
          ManagementServer.unix(
              local.managementSocket(), api, new Lanes(m.worker, m.changes, null));
      if (local.https().isPresent()) {
        ManagementHttps settings = local.https().get();
        InetSocketAddress listen =
            settings.ownAddress()
                ? new InetSocketAddress(ownAddress(local), settings.listen().getPort())
                : settings.listen();
        SslContext tls = m.tls(settings, stateDir, listen.getAddress());
        Optional<Directory> directory = Optional.empty();
        if (settings.directory().isPresent()) {
          directory = Optional.of(new Directory(settings.directory().get()));
          log.info("management: users not kept on this node log in at {}", directory.get().where());
        }
        Authenticator auth = new Authenticator(m.users, m.tokens, Clock.systemUTC(), directory);
        m.https =
            ManagementServer.https(
                listen,
                tls,
                new HttpsFront(api, auth, new WebUi()),
                new Lanes(m.remoteWorker, m.remoteChanges, m.passwords));
      }
      if (local.snmp().isPresent()) {
        m.snmp =
            SnmpAgent.start(
                local.snmp().get(), node::status, org.lbctl.core.snmp.EngineBoots.next(stateDir));
        m.events.addSink(m.snmp::notify);
      }
    } catch (IOException | RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  private SslContext tls(ManagementHttps settings, Optional<Path> stateDir, InetAddress listen)
      throws IOException {
    if (settings.certificate().isPresent()) {
      var files = settings.certificate().get();
      return ManagementCertificate.serverContext(files.certificate(), files.key());
    }
    Path dir = stateDir.isPresent() ? stateDir.get() : scratch();
    Path[] files = ManagementCertificate.ensureGenerated(dir, listen);
    return ManagementCertificate.serverContext(files[0], files[1]);
  }

  /**
   * The node's own address for a listener not told where to listen: the pair's bind address, else
   * the address this host's default route leaves from (a UDP socket "connected" to a documentation
   * address sends nothing), else loopback, said in the log.
   */
  static InetAddress ownAddress(NodeConfig local) {
    if (local.pair().isPresent()) {
      return local.pair().get().bind().getAddress();
    }
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
      probe.connect(InetAddress.getByName("192.0.2.1"), 9);
      InetAddress a = probe.getLocalAddress();
      if (a != null && !a.isAnyLocalAddress()) {
        return a;
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      // No route out (connect throws unchecked then): loopback below.
    }
    log.warn(
        "management: this host has no default route, so HTTPS management listens on 127.0.0.1"
            + " only; set management.listen in the node file to reach it from elsewhere");
    return InetAddress.getLoopbackAddress();
  }

  private Path scratch() throws IOException {
    scratch = Files.createTempDirectory("lbctl-management-");
    return scratch;
  }

  UserStore users() {
    return users;
  }

  ApiTokens tokens() {
    return tokens;
  }

  /** The users and tokens as the members of a pair or cluster share them. */
  AccountBook book() {
    return book;
  }

  /** The HTTPS listener, when there is one. */
  Optional<ManagementServer> https() {
    return Optional.ofNullable(https);
  }

  @Override
  public void close() {
    if (statusEvents != null) {
      statusEvents.close();
    }
    if (history != null) {
      history.close();
    }
    if (snmp != null) {
      snmp.close();
    }
    if (https != null) {
      https.close();
    }
    if (unix != null) {
      unix.close();
    }
    worker.shutdownNow();
    remoteWorker.shutdownNow();
    changes.shutdownNow();
    remoteChanges.shutdownNow();
    passwords.close();
    if (syslog != null) {
      syslog.close();
    }
    if (scratch != null) {
      try (Stream<Path> files = Files.walk(scratch)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory; the system cleans it eventually
      }
    }
  }
}
