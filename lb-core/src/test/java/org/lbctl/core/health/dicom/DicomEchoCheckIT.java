package org.lbctl.core.health.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.CheckTls;
import org.lbctl.core.health.CheckResult;
import org.lbctl.core.health.CheckTarget;
import org.lbctl.core.health.CheckTlsContexts;
import org.lbctl.core.health.CheckTransport;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.testing.Dcmtk;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;
import org.lbctl.core.testing.TestPki;

/** The C-ECHO check against dcmtk's servers, and against servers that misbehave. */
class DicomEchoCheckIT {
  private static final Duration TIMEOUT = Duration.ofMillis(1500);
  private final Transport transport = Transport.detect();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
  @TempDir Path dir;

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private CheckResult echo(String called, int port) throws Exception {
    return echo(called, port, Optional.empty());
  }

  private CheckResult echo(String called, int port, Optional<SslContext> tls) throws Exception {
    DicomEchoCheck check =
        new DicomEchoCheck(
            new CheckTransport(group, transport.socketChannel()), "LOADBALANCER", called, tls);
    return check
        .run(
            new CheckTarget(
                "pacs", "pacs1", InetAddress.getLoopbackAddress(), List.of(port), TIMEOUT))
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void aDicomServerThatKnowsItsAeTitleAnswersTheEcho() throws Exception {
    try (Dcmtk scp = Dcmtk.qrscp(dir, "LB-SCP")) {
      CheckResult r = echo("LB-SCP", scp.port());
      assertThat(r.up()).as(r.detail()).isTrue();
      assertThat(r.detail())
          .matches("C-ECHO to LB-SCP at 127\\.0\\.0\\.1:\\d+: success in \\d+ ms");
      // Again on the same server: each check is a whole association, released.
      CheckResult again = echo("LB-SCP", scp.port());
      assertThat(again.up()).as(again.detail()).isTrue();
    }
  }

  @Test
  void aRejectedAssociationFailsWithTheReason() throws Exception {
    try (Dcmtk scp = Dcmtk.qrscp(dir, "LB-SCP")) {
      CheckResult r = echo("WRONG-SCP", scp.port());
      assertThat(r.up()).isFalse();
      assertThat(r.detail())
          .isEqualTo(
              "C-ECHO to WRONG-SCP at 127.0.0.1:"
                  + scp.port()
                  + ": association rejected (permanent): called AE title not recognized");
    }
    try (Dcmtk refusing = Dcmtk.storescp(dir, "--refuse")) {
      assertThat(echo("ANY-SCP", refusing.port()).detail())
          .endsWith(": association rejected (permanent): no reason given");
    }
  }

  @Test
  void somethingThatIsNotDicomSilenceAndAResetFail() throws Exception {
    try (TestBackend http = TestBackend.start("http", Mode.NAME_ECHO, 0)) {
      CheckResult r = echo("LB-SCP", http.port());
      assertThat(r.up()).isFalse();
      // NAME_ECHO greets with "http:<port>\n".
      assertThat(r.detail()).contains(": not a DICOM answer: it starts 68 74 74 70 3a");
    }
    try (TestBackend silent = TestBackend.start("silent", Mode.SILENT, 0)) {
      long start = System.nanoTime();
      CheckResult r = echo("LB-SCP", silent.port());
      assertThat(r.detail()).endsWith(": no answer to the A-ASSOCIATE-RQ");
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1400L, 3000L);
    }
    try (TestBackend reset = TestBackend.start("reset", Mode.RESET, 0)) {
      CheckResult r = echo("LB-SCP", reset.port());
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).containsAnyOf("connection reset", "connection closed before");
    }
    CheckResult refused = echo("LB-SCP", Ports.free());
    assertThat(refused.detail()).endsWith(": cannot connect: connection refused");
  }

  @Test
  void overDicomTlsWithTheRightCaAndClientCertificateTheEchoSucceeds() throws Exception {
    TestPki pki = TestPki.create(dir.resolve("pki"));
    try (Dcmtk scp =
        Dcmtk.storescp(
            dir,
            "+tls",
            pki.key("server").toString(),
            pki.cert("server").toString(),
            "+cf",
            pki.cert("ca").toString())) {
      CheckTls good =
          new CheckTls(
              true,
              true,
              pki.cert("ca").toString(),
              pki.cert("client").toString(),
              pki.key("client").toString());
      CheckResult ok = echo("ANY-SCP", scp.port(), Optional.of(CheckTlsContexts.build(good)));
      assertThat(ok.up()).as(ok.detail()).isTrue();
      assertThat(ok.detail()).startsWith("C-ECHO to ANY-SCP at tls://127.0.0.1:");

      CheckTls otherCa =
          new CheckTls(
              true,
              true,
              pki.cert("other-ca").toString(),
              pki.cert("client").toString(),
              pki.key("client").toString());
      assertThat(echo("ANY-SCP", scp.port(), Optional.of(CheckTlsContexts.build(otherCa))).detail())
          .endsWith(
              ": TLS handshake failed: the server's certificate is not signed by the configured CA");
      // Plain DICOM to a TLS port is not an answer.
      assertThat(echo("ANY-SCP", scp.port()).up()).isFalse();
    }
  }

  /** A scripted acceptor: a fault dcmtk does not produce (an echo answered with an error). */
  @Test
  void anEchoAnsweredWithAnErrorStatusFails() throws Exception {
    String acBody =
        "00010000"
            + "20".repeat(32) // called and calling AE titles: spaces
            + "00".repeat(32)
            + "210000190100000040000011" // context 1 accepted, implicit VR little endian
            + HexFormat.of().formatHex("1.2.840.10008.1.2".getBytes());
    byte[] accept =
        HexFormat.of().parseHex("0200" + String.format("%08x", acBody.length() / 2) + acBody);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  DataInputStream in = new DataInputStream(s.getInputStream());
                  OutputStream out = s.getOutputStream();
                  skipPdu(in); // A-ASSOCIATE-RQ
                  out.write(accept);
                  byte[] rq = readPdu(in); // P-DATA-TF with the C-ECHO-RQ
                  int messageId =
                      (rq[6 + 6 + 12 + 26 + 10 + 8] & 0xff)
                          | (rq[6 + 6 + 12 + 26 + 10 + 9] & 0xff) << 8;
                  out.write(echoResponse(messageId, 0x0110));
                  readPdu(in); // A-RELEASE-RQ
                  out.write(HexFormat.of().parseHex("06000000000400000000"));
                } catch (IOException e) {
                  // the check closed first
                }
              });
      acceptor.start();
      CheckResult r = echo("LB-SCP", server.getLocalPort());
      assertThat(r.up()).isFalse();
      assertThat(r.detail()).endsWith(": C-ECHO status 0x0110");
      acceptor.join(5000);
    }
  }

  private static void skipPdu(DataInputStream in) throws IOException {
    readPdu(in);
  }

  private static byte[] readPdu(DataInputStream in) throws IOException {
    byte[] header = in.readNBytes(6);
    int length = java.nio.ByteBuffer.wrap(header, 2, 4).getInt();
    byte[] whole = new byte[6 + length];
    System.arraycopy(header, 0, whole, 0, 6);
    in.readFully(whole, 6, length);
    return whole;
  }

  private static byte[] echoResponse(int messageId, int status) {
    String id = String.format("%02x%02x", messageId & 0xff, messageId >> 8);
    String st = String.format("%02x%02x", status & 0xff, status >> 8);
    String command =
        "0000000004000000"
            + "42000000"
            + "0000020012000000"
            + HexFormat.of().formatHex("1.2.840.10008.1.1".getBytes())
            + "00"
            + "00000001020000003080"
            + "0000200102000000"
            + id
            + "00000008020000000101"
            + "0000000902000000"
            + st;
    int pdvLength = command.length() / 2 + 2;
    String pdv = String.format("%08x", pdvLength) + "0103" + command;
    return HexFormat.of().parseHex("0400" + String.format("%08x", pdv.length() / 2) + pdv);
  }
}
