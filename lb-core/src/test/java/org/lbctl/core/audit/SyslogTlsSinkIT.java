package org.lbctl.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.auth.Caller;
import org.lbctl.core.config.AuditSyslog;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.Rsyslog;
import org.lbctl.core.testing.TestPki;

/** The audit log to a real rsyslogd over TLS: delivered, verified, and kept while it is away. */
class SyslogTlsSinkIT {
  @TempDir Path dir;

  private static AuditEntry entry(String action, int status) {
    return new AuditEntry(
        Instant.now(),
        new Caller("admin", "10.0.0.5", "password", true, org.lbctl.core.auth.Role.ADMIN),
        action,
        status,
        "");
  }

  @Test
  void entriesReachTheServerAndWaitForItWhileItIsDown() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    int port = Ports.free();
    Rsyslog server =
        Rsyslog.start(
            dir.resolve("rsyslog"), port, pki.cert("ca"), pki.cert("server"), pki.key("server"));
    AuditLog audit = new AuditLog(Optional.empty());
    try (SyslogTlsSink sink =
        new SyslogTlsSink(
            new AuditSyslog(new InetSocketAddress("127.0.0.1", port), pki.cert("ca"), "127.0.0.1"),
            "lb1")) {
      audit.addSink(sink);
      audit.record(entry("PUT /v1/virtual-services/pacs/real-servers/pacs1/admin-state", 200));
      audit.record(entry("POST /v1/reload", 422));
      await().atMost(Duration.ofSeconds(20)).until(() -> server.received().size() == 2);
      assertThat(server.received().get(0))
          .startsWith("authpriv.notice lb1 lbctl audit ")
          .contains("\"user\":\"admin\"", "\"from\":\"10.0.0.5\"", "admin-state");
      assertThat(server.received().get(1)).startsWith("authpriv.warning lb1 lbctl audit ");
      // Status changes go the same way, as the daemon's, in the order they came.
      org.lbctl.core.events.EventHub events = new org.lbctl.core.events.EventHub();
      events.addSink(sink::event);
      events.publish("health", java.util.Map.of("realServer", "pacs1", "from", "up", "to", "down"));
      events.publish("health", java.util.Map.of("realServer", "pacs1", "from", "down", "to", "up"));
      await().atMost(Duration.ofSeconds(20)).until(() -> server.received().size() == 4);
      assertThat(server.received().get(2))
          .startsWith("daemon.warning lb1 lbctl health ")
          .contains("\"to\":\"down\"");
      assertThat(server.received().get(3)).startsWith("daemon.notice lb1 lbctl health ");

      // The server goes away: entries wait, in order, and arrive once it is back.
      server.close();
      for (int i = 0; i < 5; i++) {
        audit.record(entry("DELETE /v1/virtual-services/pacs/stick-table #" + i, 200));
      }
      Rsyslog again =
          Rsyslog.start(
              dir.resolve("rsyslog"), port, pki.cert("ca"), pki.cert("server"), pki.key("server"));
      try {
        await().atMost(Duration.ofSeconds(60)).until(() -> again.received().size() == 9);
        assertThat(again.received().subList(4, 9))
            .allSatisfy(l -> assertThat(l).contains("stick-table"))
            .extracting(l -> l.substring(l.indexOf('#') + 1, l.indexOf('#') + 2))
            .containsExactly("0", "1", "2", "3", "4");
        assertThat(sink.pending()).isZero();
      } finally {
        again.close();
      }
    } finally {
      server.close();
    }
  }

  @Test
  void aServerWhoseCertificateIsNotFromTheCaGetsNothing() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    int port = Ports.free();
    try (Rsyslog server =
            Rsyslog.start(
                dir.resolve("rsyslog"),
                port,
                pki.cert("ca"),
                pki.cert("server"),
                pki.key("server"));
        SyslogTlsSink sink =
            new SyslogTlsSink(
                new AuditSyslog(
                    new InetSocketAddress("127.0.0.1", port), pki.cert("other-ca"), "127.0.0.1"),
                "lb1")) {
      sink.accept(entry("POST /v1/reload", 200));
      // The handshake fails, again after a backoff, and the entry is never sent.
      await().atMost(Duration.ofSeconds(20)).until(() -> sink.failures() >= 2);
      assertThat(sink.sent()).isZero();
      assertThat(server.received()).isEmpty();
      assertThat(sink.pending()).isLessThanOrEqualTo(1);
    }
  }
}
