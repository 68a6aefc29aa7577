package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.Configs;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.RecordingServer;

/**
 * HL7 message mode in front of HAPI HL7 engines over MLLP, with a HAPI client as the EHR: one
 * long-lived sender connection is balanced per message, each message gets the acknowledgment of the
 * engine that took it, a silent engine's messages go to another, and no acknowledgment is ever made
 * up.
 */
class Hl7MessageModeIT {
  private final ProxyEngine engine = new ProxyEngine(Transport.detect(), 1);
  private final HapiContext hapi = new DefaultHapiContext();
  private final List<HL7Service> servers = new ArrayList<>();
  private int vipPort;

  @BeforeEach
  void start() {
    vipPort = Ports.free();
    hapi.setValidationContext(ValidationContextFactory.noValidation());
    hapi.getParserConfiguration()
        .setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
  }

  @AfterEach
  void stop() throws Exception {
    engine.close();
    servers.forEach(HL7Service::stopAndWait);
    hapi.close();
  }

  /** A HAPI engine that records the control IDs it receives and answers as {@code answer} says. */
  private int engineAt(List<String> received, Function<Message, AcknowledgmentCode> answer)
      throws Exception {
    int port = Ports.free();
    HL7Service server = hapi.newServer(port, false);
    server.registerApplication(
        "*",
        "*",
        new ReceivingApplication<Message>() {
          @Override
          public Message processMessage(Message in, Map<String, Object> metadata)
              throws HL7Exception {
            received.add(controlId(in));
            AcknowledgmentCode code = answer.apply(in);
            try {
              return code == AcknowledgmentCode.AA
                  ? in.generateACK()
                  : in.generateACK(code, new HL7Exception("the engine refuses it"));
            } catch (java.io.IOException e) {
              throw new HL7Exception(e);
            }
          }

          @Override
          public boolean canProcess(Message message) {
            return true;
          }
        });
    server.startAndWait();
    servers.add(server);
    return port;
  }

  private static String controlId(Message m) {
    try {
      return ((ca.uhn.hl7v2.model.Segment) m.get("MSH")).getField(10, 0).encode();
    } catch (HL7Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void vip(int portA, int portB, String hl7) throws Exception {
    vip(portA, portB, hl7, "weighted-round-robin");
  }

  private void vip(int portA, int portB, String hl7, String scheduler) throws Exception {
    engine.apply(
        Configs.yaml(
            """
            virtualServices:
              - label: feed
                address: 127.0.0.1
                ports: [%d]
                protocol: hl7-mllp
                scheduler: %s
                %s
                realServers:
                  - {label: a, address: 127.0.0.1, port: %d}
                  - {label: b, address: 127.0.0.1, port: %d}
            """
                .formatted(vipPort, scheduler, hl7, portA, portB)));
  }

  private static String adt(int n) {
    return "MSH|^~\\&|EHR|HOSPITAL|ENGINE|HOSPITAL|20261207000000||ADT^A01|MSG"
        + n
        + "|P|2.5\rPID|1||"
        + (1000 + n)
        + "\r";
  }

  private Map<String, Long> counts() {
    return engine.services().get("feed").counters().hl7().snapshot();
  }

  @Test
  void oneSendersMessagesAreSpreadOverTheEnginesEachWithItsOwnAck() throws Exception {
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    vip(engineAt(atA, m -> AcknowledgmentCode.AA), engineAt(atB, m -> AcknowledgmentCode.AA), "");
    Connection ehr = hapi.newClient("127.0.0.1", vipPort, false);
    try {
      for (int i = 1; i <= 20; i++) {
        Message ack = ehr.getInitiator().sendAndReceive(hapi.getPipeParser().parse(adt(i)));
        assertThat(ack.encode()).contains("MSA|AA|MSG" + i + "\r");
      }
    } finally {
      ehr.close();
    }
    // Balanced per message over the one connection, in the sender's order at each engine.
    assertThat(atA).hasSize(10);
    assertThat(atB).hasSize(10);
    var feed = engine.services().get("feed");
    assertThat(feed.backend("a").orElseThrow().state().hl7Acks()).containsEntry("AA", 10L);
    assertThat(feed.backend("b").orElseThrow().state().hl7Acks()).containsEntry("AA", 10L);
    assertThat(atA).isSortedAccordingTo(Hl7MessageModeIT::byNumber);
    assertThat(atB).isSortedAccordingTo(Hl7MessageModeIT::byNumber);
    assertThat(counts())
        .containsEntry("AA", 20L)
        .containsEntry("resent", 0L)
        .containsEntry("ack_ms_count", 20L)
        .containsEntry("ack_ms_le_inf", 20L);
  }

  private static int byNumber(String a, String b) {
    return Integer.compare(Integer.parseInt(a.substring(3)), Integer.parseInt(b.substring(3)));
  }

  @Test
  void aSilentEnginesMessagesGoToTheOtherAndEachIsAcknowledgedOnce() throws Exception {
    List<String> atB = new CopyOnWriteArrayList<>();
    try (RecordingServer silent = new RecordingServer()) {
      vip(silent.port(), engineAt(atB, m -> AcknowledgmentCode.AA), "hl7: {ackTimeout: 300ms}");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        for (int i = 1; i <= 4; i++) {
          out.write(("\u000b" + adt(i) + "\u001c\r").getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          String ack = readFrame(in);
          assertThat(ack).contains("MSA|AA|MSG" + i + "\r");
        }
        // Past the silent engine's timeouts: a second acknowledgment would be here by now.
        s.setSoTimeout(1000);
        assertThatThrownBy(in::read)
            .as("one acknowledgment per message")
            .isInstanceOf(java.net.SocketTimeoutException.class);
      }
      assertThat(atB).containsExactly("MSG1", "MSG2", "MSG3", "MSG4");
      // Round robin sent every other message to the silent one first: at least once, not lost.
      assertThat(silent.connections()).isNotEmpty();
      assertThat(silent.connections().get(0).bytes()).contains("|MSG1|");
      assertThat(counts().get("resent")).isGreaterThanOrEqualTo(2);
      assertThat(counts()).containsEntry("AA", 4L).containsEntry("unanswered", 0L);
    }
  }

  private static String readFrame(InputStream in) throws java.io.IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      b.append((char) c);
      if (c == '\r' && b.length() >= 2 && b.charAt(b.length() - 2) == 0x1c) {
        return b.toString();
      }
    }
    throw new java.io.EOFException("closed after " + b);
  }

  @Test
  void anEnginesRejectionIsRelayedAndCountedNotRetriedUnlessAsked() throws Exception {
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    vip(engineAt(atA, m -> AcknowledgmentCode.AE), engineAt(atB, m -> AcknowledgmentCode.AA), "");
    Connection ehr = hapi.newClient("127.0.0.1", vipPort, false);
    try {
      Message first = ehr.getInitiator().sendAndReceive(hapi.getPipeParser().parse(adt(1)));
      assertThat(first.encode()).contains("MSA|AE|MSG1");
    } finally {
      ehr.close();
    }
    assertThat(atB).isEmpty();
    assertThat(counts()).containsEntry("AE", 1L).containsEntry("resent", 0L);

    engine.apply(Configs.yaml("virtualServices: []"));
    vipPort = Ports.free();
    vip(
        engineAt(atA, m -> AcknowledgmentCode.AE),
        engineAt(atB, m -> AcknowledgmentCode.AA),
        "hl7: {resendOnNak: true}",
        "first");
    Connection again = hapi.newClient("127.0.0.1", vipPort, false);
    try {
      Message ack = again.getInitiator().sendAndReceive(hapi.getPipeParser().parse(adt(2)));
      assertThat(ack.encode()).contains("MSA|AA|MSG2");
    } finally {
      again.close();
    }
    // The first server refused it, the second took it: tried elsewhere because the VIP asks.
    assertThat(atA).containsExactly("MSG1", "MSG2");
    assertThat(atB).containsExactly("MSG2");
    assertThat(counts()).containsEntry("resent", 1L).containsEntry("AA", 1L);
  }

  @Test
  void aSenderThatDoesNotWaitGetsItsAcksInItsOrder() throws Exception {
    List<String> atA = new CopyOnWriteArrayList<>();
    List<String> atB = new CopyOnWriteArrayList<>();
    vip(engineAt(atA, m -> AcknowledgmentCode.AA), engineAt(atB, m -> AcknowledgmentCode.AA), "");
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
      s.setSoTimeout(10_000);
      StringBuilder all = new StringBuilder();
      for (int i = 1; i <= 30; i++) {
        all.append("\u000b").append(adt(i)).append("\u001c\r");
      }
      // Thirty messages in one write, more than are read ahead.
      s.getOutputStream().write(all.toString().getBytes(StandardCharsets.ISO_8859_1));
      for (int i = 1; i <= 30; i++) {
        assertThat(readFrame(s.getInputStream())).contains("MSA|AA|MSG" + i + "\r");
      }
    }
    assertThat(atA.size() + atB.size()).isEqualTo(30);
    assertThat(atA).isSortedAccordingTo(Hl7MessageModeIT::byNumber);
    assertThat(atB).isSortedAccordingTo(Hl7MessageModeIT::byNumber);
  }

  /**
   * Two connections of one sending application (MSH-3, MSH-4); the engine holds the first message
   * unanswered until the test lets it go. Checks whether the second connection's message reaches
   * the engine meanwhile ({@code overtakes}) or only after the first was acknowledged.
   */
  private void secondMessageWhileFirstIsUnanswered(String hl7, boolean overtakes) throws Exception {
    java.util.concurrent.CountDownLatch answerFirst = new java.util.concurrent.CountDownLatch(1);
    java.util.Set<String> received = java.util.concurrent.ConcurrentHashMap.newKeySet();
    int held =
        engineAt(
            new CopyOnWriteArrayList<>(),
            m -> {
              received.add(controlId(m));
              if (controlId(m).equals("MSG1")) {
                try {
                  answerFirst.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return AcknowledgmentCode.AA;
            });
    vip(held, engineAt(new CopyOnWriteArrayList<>(), m -> AcknowledgmentCode.AA), hl7, "first");
    try (Socket one = new Socket(InetAddress.getLoopbackAddress(), vipPort);
        Socket two = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
      one.setSoTimeout(10_000);
      two.setSoTimeout(10_000);
      one.getOutputStream()
          .write(("\u000b" + adt(1) + "\u001c\r").getBytes(StandardCharsets.ISO_8859_1));
      await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("MSG1"));
      two.getOutputStream()
          .write(("\u000b" + adt(2) + "\u001c\r").getBytes(StandardCharsets.ISO_8859_1));
      if (overtakes) {
        await().atMost(Duration.ofSeconds(5)).until(() -> received.contains("MSG2"));
      } else {
        await()
            .during(Duration.ofMillis(700))
            .atMost(Duration.ofSeconds(2))
            .until(() -> !received.contains("MSG2"));
      }
      answerFirst.countDown();
      assertThat(readFrame(one.getInputStream())).contains("MSA|AA|MSG1\r");
      assertThat(readFrame(two.getInputStream())).contains("MSA|AA|MSG2\r");
      assertThat(received).contains("MSG2");
    } finally {
      answerFirst.countDown();
    }
  }

  @Test
  void orderedBySendingApplicationASendersNextMessageWaitsForTheAckOfItsLastOnAnyConnection()
      throws Exception {
    secondMessageWhileFirstIsUnanswered("hl7: {orderBy: sending-application}", false);
    assertThat(engine.services().get("feed").counters().senderLanes().size()).isZero();
    // Ordered by connection (the default), the second connection's message does not wait.
    engine.apply(Configs.yaml("virtualServices: []"));
    vipPort = Ports.free();
    secondMessageWhileFirstIsUnanswered("", true);
  }

  @Test
  void badFramingClosesTheSenderAndNoEngineSeesAnyOfIt() throws Exception {
    try (RecordingServer a = new RecordingServer();
        RecordingServer b = new RecordingServer()) {
      vip(a.port(), b.port(), "hl7: {ackTimeout: 300ms, maxMessage: 1KiB}");
      String[] broken = {
        "junk\u000b" + adt(1) + "\u001c\r",
        "\u000b" + adt(2) + "\u000b" + adt(3) + "\u001c\r",
        "\u000b" + adt(4) + "\u001cX",
        "\u000b" + adt(5) + "X".repeat(2000) + "\u001c\r",
        "\u000bPID|1||1\r\u001c\r",
        "\u000bMSH|^~\\&|EHR|HOSPITAL|ENGINE|HOSPITAL|20261207||ADT^A01||P|2.5\r\u001c\r",
      };
      for (String bytes : broken) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
          s.setSoTimeout(5000);
          s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
          assertThat(closedWithoutAnswer(s)).as(bytes).isTrue();
        }
      }
      assertThat(counts()).containsEntry("malformed", (long) broken.length);
      assertThat(a.connections()).isEmpty();
      assertThat(b.connections()).isEmpty();
    }
  }

  /** The proxy closed (a reset when it left bytes unread), having sent nothing. */
  private static boolean closedWithoutAnswer(Socket s) throws java.io.IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException e) {
      return e.getMessage().contains("reset");
    }
  }

  @Test
  void whenNoRealServerAcknowledgesTheFallbackServerMayAndItsAckIsRelayed() throws Exception {
    List<String> atFallback = new CopyOnWriteArrayList<>();
    int fallback = engineAt(atFallback, m -> AcknowledgmentCode.AA);
    try (RecordingServer a = new RecordingServer();
        RecordingServer b = new RecordingServer()) {
      vip(
          a.port(),
          b.port(),
          "hl7: {ackTimeout: 200ms}\n    fallback: {address: 127.0.0.1, port: %d}"
              .formatted(fallback));
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
        s.setSoTimeout(5000);
        s.getOutputStream()
            .write(("\u000b" + adt(1) + "\u001c\r").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(readFrame(s.getInputStream())).contains("MSA|AA|MSG1\r");
      }
      assertThat(atFallback).containsExactly("MSG1");
      assertThat(counts()).containsEntry("resent", 2L).containsEntry("AA", 1L);
      assertThat(engine.services().get("feed").counters().fallbackConnections()).isEqualTo(1);
    }
  }

  @Test
  void whenNoEngineAcknowledgesTheSenderIsClosedWithoutAnInventedAck() throws Exception {
    try (RecordingServer a = new RecordingServer();
        RecordingServer b = new RecordingServer()) {
      vip(a.port(), b.port(), "hl7: {ackTimeout: 200ms}");
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), vipPort)) {
        s.setSoTimeout(5000);
        s.getOutputStream()
            .write(("\u000b" + adt(1) + "\u001c\r").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(s.getInputStream().read()).isEqualTo(-1);
      }
      await().atMost(Duration.ofSeconds(2)).until(() -> counts().get("unanswered") == 1L);
      assertThat(a.connections()).hasSize(1);
      assertThat(b.connections()).hasSize(1);
      // Sent to a, then once more to b: one resend, and nothing left to send it to.
      assertThat(counts()).containsEntry("resent", 1L).containsEntry("AA", 0L);
    }
  }
}
