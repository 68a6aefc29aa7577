package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.dicom.AssociationOutcome;
import org.lbctl.core.health.dicom.DicomPdus;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Dcmtk;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.RecordingServer;

/**
 * A DICOM-mode virtual service in front of two dcmtk archives with their own AE titles: each
 * association reaches the archive its Called AE title names, an AE title nobody serves gets an
 * A-ASSOCIATE-RJ with the standard's reason instead of a reset, and a first PDU that breaks PS3.8
 * gets an A-ABORT without any server seeing a byte of it.
 */
class DicomModeIT {
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  @TempDir Path dir;
  private Path storeA;
  private Path storeB;
  private Path studies;
  private int vipPort;

  @BeforeEach
  void dirs() throws IOException {
    storeA = Files.createDirectories(dir.resolve("a"));
    storeB = Files.createDirectories(dir.resolve("b"));
    studies = Files.createDirectories(dir.resolve("studies"));
    vipPort = Ports.free();
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  private void vip(int portA, int portB, String dicom) throws Exception {
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - label: pacs
                address: 127.0.0.1
                ports: [%d]
                protocol: dicom
                %s
                realServers:
                  - {label: a, address: 127.0.0.1, port: %d}
                  - {label: b, address: 127.0.0.1, port: %d}
            """
                .formatted(vipPort, dicom, portA, portB)));
  }

  private static final String ROUTES =
      "dicom: {routes: [{calledAeTitle: ARCHIVE_A, servers: [a]},"
          + " {calledAeTitle: ARCHIVE_B, servers: [b]}], callingAeTitles: [CT1, MR1]}";

  private long stored(Path store) throws IOException {
    try (Stream<Path> files = Files.list(store)) {
      return files.filter(f -> f.getFileName().toString().startsWith("SC.")).count();
    }
  }

  private long count(AssociationOutcome outcome) {
    return engine.services().get("pacs").counters().associations().get(outcome);
  }

  @Test
  void eachAssociationReachesTheArchiveItsCalledAeTitleNames() throws Exception {
    try (Dcmtk a = Dcmtk.storescp(storeA, "-aet", "ARCHIVE_A");
        Dcmtk b = Dcmtk.storescp(storeB, "-aet", "ARCHIVE_B")) {
      vip(a.port(), b.port(), ROUTES);
      int n = 0;
      for (String called : new String[] {"ARCHIVE_A", "ARCHIVE_B", "ARCHIVE_B"}) {
        // A study of its own each time: storescp files each under its SOP instance UID.
        Path study = Dcmtk.study(studies, "ROUTED" + n++);
        Dcmtk.Run store =
            Dcmtk.client(
                "storescu",
                "-aet",
                "CT1",
                "-aec",
                called,
                "127.0.0.1",
                Integer.toString(vipPort),
                study.toString());
        assertThat(store.exit()).as(store.output()).isZero();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> stored(storeB) == 2);
      assertThat(stored(storeA)).isEqualTo(1);
      assertThat(count(AssociationOutcome.ROUTED)).isEqualTo(3);
      assertThat(count(AssociationOutcome.ACCEPTED)).isEqualTo(3);
      // Each association's length is recorded once it closed.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  engine
                          .services()
                          .get("pacs")
                          .counters()
                          .associationLength()
                          .snapshot("d")
                          .get("d_count")
                      == 3);
    }
  }

  @Test
  void anAeTitleNobodyServesIsRejectedWithTheStandardsReason() throws Exception {
    try (Dcmtk a = Dcmtk.storescp(storeA, "-aet", "ARCHIVE_A");
        Dcmtk b = Dcmtk.storescp(storeB, "-aet", "ARCHIVE_B")) {
      vip(a.port(), b.port(), ROUTES);
      Dcmtk.Run unknownCalled =
          Dcmtk.client(
              "echoscu", "-aet", "CT1", "-aec", "NOBODY", "127.0.0.1", Integer.toString(vipPort));
      assertThat(unknownCalled.exit()).isNotZero();
      assertThat(unknownCalled.output())
          .containsIgnoringCase("Rejected Permanent")
          .containsIgnoringCase("Called AE Title Not Recognized");
      Dcmtk.Run unknownCalling =
          Dcmtk.client(
              "echoscu",
              "-aet",
              "ROGUE",
              "-aec",
              "ARCHIVE_A",
              "127.0.0.1",
              Integer.toString(vipPort));
      assertThat(unknownCalling.exit()).isNotZero();
      assertThat(unknownCalling.output()).containsIgnoringCase("Calling AE Title Not Recognized");
      Dcmtk.Run allowed =
          Dcmtk.client(
              "echoscu",
              "-aet",
              "MR1",
              "-aec",
              "ARCHIVE_A",
              "127.0.0.1",
              Integer.toString(vipPort));
      assertThat(allowed.exit()).as(allowed.output()).isZero();
      assertThat(count(AssociationOutcome.REJECTED_CALLED_AE)).isEqualTo(1);
      assertThat(count(AssociationOutcome.REJECTED_CALLING_AE)).isEqualTo(1);
      assertThat(count(AssociationOutcome.ROUTED)).isEqualTo(1);
    }
  }

  @Test
  void anArchiveThatChecksItsOwnTitleTakesAssociationsCalledByThePoolsNameWhenRewritten()
      throws Exception {
    try (Dcmtk qr = Dcmtk.qrscp(dir, "QR_A");
        RecordingServer unused = new RecordingServer()) {
      String routes = "dicom: {routes: [{calledAeTitle: PACS, servers: [a]}]%s}";
      // As called, dcmqrscp refuses the title it does not know: the gate counts its answer.
      vip(qr.port(), unused.port(), routes.formatted(""));
      Dcmtk.Run asCalled =
          Dcmtk.client("echoscu", "-aec", "PACS", "127.0.0.1", Integer.toString(vipPort));
      assertThat(asCalled.exit()).isNotZero();
      assertThat(asCalled.output()).containsIgnoringCase("Called AE Title Not Recognized");
      assertThat(count(AssociationOutcome.REJECTED_BY_SERVER)).isEqualTo(1);

      engine.apply(Configs.yaml("virtualServices: []"));
      vipPort = Ports.free();
      vip(qr.port(), unused.port(), routes.formatted(", serverAeTitles: {a: QR_A}"));
      Dcmtk.Run rewritten =
          Dcmtk.client("echoscu", "-v", "-aec", "PACS", "127.0.0.1", Integer.toString(vipPort));
      assertThat(rewritten.exit()).as(rewritten.output()).isZero();
      assertThat(count(AssociationOutcome.ACCEPTED)).isEqualTo(1);
      assertThat(unused.connections()).isEmpty();
    }
  }

  @Test
  void dicomTlsIsTerminatedInFrontOfTheRoutingByAeTitle() throws Exception {
    org.lbctl.core.testing.TestPki pki = org.lbctl.core.testing.TestPki.create(dir.resolve("pki"));
    int tlsPort = Ports.free();
    try (Dcmtk a = Dcmtk.storescp(storeA, "-aet", "ARCHIVE_A");
        RecordingServer b = new RecordingServer()) {
      engine.apply(
          Configs.yaml(
              """
              certificates:
                - {name: pacs, certificateFile: %s, keyFile: %s}
              virtualServices:
                - label: pacs
                  address: 127.0.0.1
                  ports: [%d]
                  protocol: dicom
                  termination: {port: %d, certificate: pacs}
                  %s
                  realServers:
                    - {label: a, address: 127.0.0.1, port: %d}
                    - {label: b, address: 127.0.0.1, port: %d}
              """
                  .formatted(
                      pki.cert("server"),
                      pki.key("server"),
                      vipPort,
                      tlsPort,
                      ROUTES,
                      a.port(),
                      b.port())));
      String[] tls = {"+tla", "+cf", pki.cert("ca").toString()};
      Dcmtk.Run echo = Dcmtk.client(tlsEcho(tls, "CT1", "ARCHIVE_A", tlsPort));
      assertThat(echo.exit()).as(echo.output()).isZero();
      Dcmtk.Run unknown = Dcmtk.client(tlsEcho(tls, "CT1", "NOBODY", tlsPort));
      assertThat(unknown.exit()).isNotZero();
      assertThat(unknown.output()).containsIgnoringCase("Called AE Title Not Recognized");
      assertThat(count(AssociationOutcome.ACCEPTED)).isEqualTo(1);
      assertThat(count(AssociationOutcome.REJECTED_CALLED_AE)).isEqualTo(1);
      assertThat(b.connections()).isEmpty();
    }
  }

  private static String[] tlsEcho(String[] tls, String calling, String called, int port) {
    java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("echoscu"));
    argv.addAll(java.util.List.of(tls));
    argv.addAll(
        java.util.List.of("-aet", calling, "-aec", called, "127.0.0.1", Integer.toString(port)));
    return argv.toArray(String[]::new);
  }

  @Test
  void withoutRoutesAnyAssociationGoesToAnyArchive() throws Exception {
    try (Dcmtk a = Dcmtk.storescp(storeA, "-aet", "ARCHIVE_A");
        Dcmtk b = Dcmtk.storescp(storeB, "-aet", "ARCHIVE_B")) {
      vip(a.port(), b.port(), "scheduler: weighted-round-robin");
      for (int i = 0; i < 2; i++) {
        Dcmtk.Run echo =
            Dcmtk.client("echoscu", "-aec", "WHATEVER", "127.0.0.1", Integer.toString(vipPort));
        assertThat(echo.exit()).as(echo.output()).isZero();
      }
      assertThat(count(AssociationOutcome.ROUTED)).isEqualTo(2);
    }
  }

  /** Sends {@code pdu} as the first bytes and returns what came back before the close. */
  private byte[] firstPdu(byte[] pdu) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(pdu);
      out.flush();
      InputStream in = s.getInputStream();
      byte[] answer = new DataInputStream(in).readNBytes(10);
      assertThat(in.read()).as("closed after the answer").isEqualTo(-1);
      return answer;
    }
  }

  private static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  private static String abort(int reason) {
    return "07000000000400000" + "2" + String.format("%02x", reason);
  }

  @Test
  void aBrokenFirstPduGetsAnAbortAndNoServerSeesIt() throws Exception {
    try (RecordingServer a = new RecordingServer();
        RecordingServer b = new RecordingServer()) {
      vip(a.port(), b.port(), ROUTES);
      byte[] good = DicomPdus.associateRequest("CT1", "ARCHIVE_A");

      // An unknown PDU type, and a P-DATA-TF before any association.
      assertThat(HexFormat.of().formatHex(firstPdu(hex("09 00 00000004 00000000"))))
          .isEqualTo(abort(1));
      assertThat(HexFormat.of().formatHex(firstPdu(hex("04 00 00000004 00000000"))))
          .isEqualTo(abort(2));
      // A length past the bound is refused before its bytes arrive.
      assertThat(HexFormat.of().formatHex(firstPdu(hex("01 00 7fffffff 0001"))))
          .isEqualTo(abort(6));
      // A length that disagrees with the items: one byte short cuts the user information item.
      byte[] cut = good.clone();
      cut[5]--;
      assertThat(HexFormat.of().formatHex(firstPdu(java.util.Arrays.copyOf(cut, cut.length - 1))))
          .isEqualTo(abort(6));
      // An item that runs past the end of the PDU.
      byte[] overrun = good.clone();
      overrun[6 + 68 + 3] = (byte) 0xff; // application context item length
      assertThat(HexFormat.of().formatHex(firstPdu(overrun))).isEqualTo(abort(6));
      // AE titles with a control character, a backslash, or nothing but spaces.
      for (String called : new String[] {"ARCH\u0001IVE", "ARCH\\IVE", "                "}) {
        byte[] bad = good.clone();
        byte[] title =
            String.format("%-16s", called).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(title, 0, bad, 10, 16);
        assertThat(HexFormat.of().formatHex(firstPdu(bad))).as(called).isEqualTo(abort(6));
      }
      // Bytes after the request, before any answer.
      byte[] extra = java.util.Arrays.copyOf(good, good.length + 10);
      System.arraycopy(DicomPdus.releaseRequest(), 0, extra, good.length, 10);
      assertThat(HexFormat.of().formatHex(firstPdu(extra))).isEqualTo(abort(2));

      assertThat(count(AssociationOutcome.MALFORMED)).isEqualTo(9);
      assertThat(a.connections()).isEmpty();
      assertThat(b.connections()).isEmpty();
    }
  }

  @Test
  void aClientThatSendsHalfARequestAndLeavesIsCountedAndNothingIsForwarded() throws Exception {
    try (RecordingServer a = new RecordingServer();
        RecordingServer b = new RecordingServer()) {
      vip(a.port(), b.port(), ROUTES);
      byte[] good = DicomPdus.associateRequest("CT1", "ARCHIVE_A");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
        s.getOutputStream().write(java.util.Arrays.copyOf(good, 40));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> count(AssociationOutcome.INCOMPLETE) == 1);
      assertThat(a.connections()).isEmpty();
      assertThat(b.connections()).isEmpty();
    }
  }

  /** Reads one PDU's type and skips its body. */
  private static int pduType(DataInputStream in) throws IOException {
    int type = in.readUnsignedByte();
    in.readUnsignedByte();
    in.skipNBytes(in.readInt());
    return type;
  }

  @Test
  void aDrainedArchiveFinishesItsAssociationsAndAPoolWithNoServerRejectsTransiently()
      throws Exception {
    try (Dcmtk a = Dcmtk.storescp(storeA, "-aet", "ARCHIVE");
        Dcmtk b = Dcmtk.storescp(storeB, "-aet", "ARCHIVE")) {
      vip(a.port(), b.port(), "scheduler: first");
      var pacs = engine.services().get("pacs");
      try (Socket open = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
        open.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(open.getInputStream());
        open.getOutputStream().write(DicomPdus.associateRequest("CT1", "ARCHIVE"));
        assertThat(pduType(in)).as("A-ASSOCIATE-AC from a").isEqualTo(2);

        pacs.backend("a").orElseThrow().state().setAdminState(AdminState.DRAIN);
        // New associations go to b only.
        Path study = Dcmtk.study(studies, "AFTERDRAIN");
        Dcmtk.Run store =
            Dcmtk.client(
                "storescu",
                "-aec",
                "ARCHIVE",
                "127.0.0.1",
                Integer.toString(vipPort),
                study.toString());
        assertThat(store.exit()).as(store.output()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> stored(storeB) == 1);
        assertThat(stored(storeA)).isZero();

        // The open one on the drained archive still works, and ends with A-RELEASE.
        open.getOutputStream().write(DicomPdus.echoRequest(1));
        assertThat(pduType(in)).as("P-DATA-TF: the C-ECHO-RSP").isEqualTo(4);
        open.getOutputStream().write(DicomPdus.releaseRequest());
        assertThat(pduType(in)).as("A-RELEASE-RP").isEqualTo(6);
      }

      // Halted and drained: no server takes a new association, which is told to come back later.
      pacs.backend("b").orElseThrow().state().setAdminState(AdminState.HALT);
      try (Socket late = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
        late.setSoTimeout(5000);
        late.getOutputStream().write(DicomPdus.associateRequest("CT1", "ARCHIVE"));
        InputStream in = late.getInputStream();
        assertThat(HexFormat.of().formatHex(new DataInputStream(in).readNBytes(10)))
            .as("A-ASSOCIATE-RJ rejected-transient, service provider, temporary congestion")
            .isEqualTo("03000000000400020301");
        assertThat(in.read()).as("closed after the answer").isEqualTo(-1);
      }
      assertThat(count(AssociationOutcome.REJECTED_NO_SERVER)).isEqualTo(1);
      Dcmtk.Run echo =
          Dcmtk.client("echoscu", "-aec", "ARCHIVE", "127.0.0.1", Integer.toString(vipPort));
      assertThat(echo.exit()).isNotZero();
      assertThat(echo.output()).containsIgnoringCase("Temporary Congestion");
    }
  }
}
