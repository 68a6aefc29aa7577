package org.lbctl.core.health.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v25.message.ACK;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.health.CheckResult;
import org.lbctl.core.health.CheckTarget;
import org.lbctl.core.health.CheckTransport;
import org.lbctl.core.proxy.Transport;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.testing.TestBackend;
import org.lbctl.core.testing.TestBackend.Mode;

/** The HL7 check against a HAPI HL7 v2 server over MLLP that answers as each test needs. */
class Hl7CheckIT {
  private static final Duration TIMEOUT = Duration.ofMillis(1500);
  private final Transport transport = Transport.detect();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
  private final HapiContext hapi = new DefaultHapiContext();
  private final List<Message> received = new CopyOnWriteArrayList<>();
  private HL7Service server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stopAndWait();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** A HAPI server on a free port whose answer to each message {@code answer} makes. */
  private int serve(Function<Message, Message> answer) throws Exception {
    hapi.setValidationContext(ValidationContextFactory.noValidation());
    // HAPI numbers its ACKs in a file in the working directory unless told otherwise.
    hapi.getParserConfiguration()
        .setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
    int port = Ports.free();
    server = hapi.newServer(port, false);
    server.registerApplication(
        "*",
        "*",
        new ReceivingApplication<Message>() {
          @Override
          public Message processMessage(Message in, Map<String, Object> metadata) {
            received.add(in);
            return answer.apply(in);
          }

          @Override
          public boolean canProcess(Message message) {
            return true;
          }
        });
    server.startAndWait();
    return port;
  }

  private static Message ack(Message in, AcknowledgmentCode code) {
    try {
      return code == AcknowledgmentCode.AA
          ? in.generateACK()
          : in.generateACK(code, new HL7Exception("the interface engine is paused"));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private CheckResult check(int port) throws Exception {
    return new Hl7Check(
            new CheckTransport(group, transport.socketChannel()), "ENGINE", "HOSPITAL", "NMD^N02")
        .run(
            new CheckTarget(
                "hl7", "engine1", InetAddress.getLoopbackAddress(), List.of(port), TIMEOUT))
        .get(5, TimeUnit.SECONDS);
  }

  @Test
  void anAaForOurControlIdIsHealthy() throws Exception {
    int port = serve(in -> ack(in, AcknowledgmentCode.AA));
    CheckResult r = check(port);
    assertThat(r.up()).as(r.detail()).isTrue();
    assertThat(r.detail()).matches("HL7 to 127\\.0\\.0\\.1:\\d+: MSA\\|AA in \\d+ ms");
    // What the engine received: our header, routed to its application, with a fresh control ID.
    String first = received.get(0).encode();
    assertThat(first).startsWith("MSH|^~\\&|LBCTL|LOADBALANCER|ENGINE|HOSPITAL|");
    assertThat(first).contains("|NMD^N02|LBCTL");
    check(port);
    assertThat(received.get(1).encode()).isNotEqualTo(first);
  }

  @Test
  void anErrorOrARejectIsUnhealthyWithTheEnginesText() throws Exception {
    int port =
        serve(in -> ack(in, received.size() == 1 ? AcknowledgmentCode.AE : AcknowledgmentCode.AR));
    CheckResult ae = check(port);
    assertThat(ae.up()).isFalse();
    assertThat(ae.detail())
        .contains(": MSA|AE (the interface engine is paused) for control ID LBCTL");
    CheckResult ar = check(port);
    assertThat(ar.up()).isFalse();
    assertThat(ar.detail()).contains(": MSA|AR");
  }

  @Test
  void anAckForAnotherControlIdIsUnhealthy() throws Exception {
    int port =
        serve(
            in -> {
              ACK ack = (ACK) ack(in, AcknowledgmentCode.AA);
              try {
                ack.getMSA().getMessageControlID().setValue("SOMEONE-ELSE");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              return ack;
            });
    CheckResult r = check(port);
    assertThat(r.up()).isFalse();
    assertThat(r.detail()).contains(": an ACK for control ID SOMEONE-ELSE, not LBCTL");
  }

  @Test
  void silenceSomethingElseAndNobodyAreUnhealthy() throws Exception {
    try (TestBackend silent = TestBackend.start("silent", Mode.SILENT, 0)) {
      long start = System.nanoTime();
      assertThat(check(silent.port()).detail()).endsWith(": no ACK within 1500 ms");
      assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1400L, 3000L);
    }
    try (TestBackend other = TestBackend.start("other", Mode.NAME_ECHO, 0)) {
      assertThat(check(other.port()).detail()).contains(": not an MLLP answer: it starts 'other:");
    }
    assertThat(check(Ports.free()).detail()).endsWith(": cannot connect: connection refused");
  }
}
