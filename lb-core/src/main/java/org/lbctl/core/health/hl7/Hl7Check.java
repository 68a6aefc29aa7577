package org.lbctl.core.health.hl7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.health.Check;
import org.lbctl.core.health.CheckResult;
import org.lbctl.core.health.CheckTarget;
import org.lbctl.core.health.CheckTransport;
import org.lbctl.core.health.Failures;
import org.lbctl.core.health.Verdict;

/**
 * {@code hl7}: sends one MLLP-framed message with a fresh control ID and wants an ACK with {@code
 * MSA|AA} for that control ID. AE, AR, another control ID, something that is not MLLP, or silence
 * past the timeout fails the check, with what came back.
 */
public final class Hl7Check implements Check {
  /** Far more than any ACK: a server that streams without end is cut off here. */
  static final int MAX_ANSWER = 65536;

  private final CheckTransport transport;
  private final String receivingApplication;
  private final String receivingFacility;
  private final String messageType;

  public Hl7Check(
      CheckTransport transport,
      String receivingApplication,
      String receivingFacility,
      String messageType) {
    this.transport = transport;
    this.receivingApplication = receivingApplication;
    this.receivingFacility = receivingFacility;
    this.messageType = messageType;
  }

  @Override
  public CompletableFuture<CheckResult> run(CheckTarget target) {
    InetSocketAddress address = new InetSocketAddress(target.address(), target.ports().get(0));
    Verdict verdict = new Verdict("HL7 to " + Endpoints.format(address));
    String controlId = "LBCTL" + UUID.randomUUID().toString().replace("-", "").substring(0, 15);
    Answer answer = new Answer(verdict, controlId);
    transport.open(
        address,
        target.timeout(),
        verdict,
        new CheckTransport.Conversation() {
          @Override
          public List<ChannelHandler> handlers() {
            return List.of(answer);
          }

          @Override
          public void start(Channel ch) {
            byte[] message =
                Hl7Messages.request(
                        receivingApplication,
                        receivingFacility,
                        messageType,
                        controlId,
                        ZonedDateTime.now())
                    .getBytes(StandardCharsets.ISO_8859_1);
            ByteBuf framed = Unpooled.buffer(message.length + 3);
            framed.writeByte(Hl7Messages.START).writeBytes(message);
            framed.writeByte(Hl7Messages.END).writeByte(Hl7Messages.CR);
            ch.writeAndFlush(framed);
          }

          @Override
          public void timedOut() {
            answer.fail("no ACK within " + target.timeout().toMillis() + " ms");
          }
        });
    return verdict.result();
  }

  /** Collects the MLLP-framed answer and judges it. */
  private static final class Answer extends ChannelInboundHandlerAdapter {
    private final Verdict verdict;
    private final String controlId;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Answer(Verdict verdict, String controlId) {
      this.verdict = verdict;
      this.controlId = controlId;
    }

    void fail(String why) {
      verdict.down(why);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        if (bytes.size() == 0
            && in.isReadable()
            && in.getByte(in.readerIndex()) != Hl7Messages.START) {
          fail("not an MLLP answer: it starts " + printable(in));
          return;
        }
        if (bytes.size() + in.readableBytes() > MAX_ANSWER) {
          fail("an answer longer than " + MAX_ANSWER + " bytes without its end");
          return;
        }
        byte[] chunk = new byte[in.readableBytes()];
        in.readBytes(chunk);
        bytes.writeBytes(chunk);
        byte[] all = bytes.toByteArray();
        for (int i = 1; i + 1 < all.length; i++) {
          if (all[i] == Hl7Messages.END && all[i + 1] == Hl7Messages.CR) {
            judge(new String(all, 1, i - 1, StandardCharsets.ISO_8859_1));
            return;
          }
        }
      } finally {
        in.release();
      }
    }

    private void judge(String message) {
      Optional<Hl7Messages.Ack> ack = Hl7Messages.ack(message);
      if (ack.isEmpty()) {
        fail("an answer without an MSA segment: " + abbreviate(message));
        return;
      }
      Hl7Messages.Ack a = ack.get();
      if (!a.controlId().equals(controlId)) {
        fail("an ACK for control ID " + a.controlId() + ", not " + controlId);
      } else if (!a.code().equals("AA")) {
        fail(
            "MSA|"
                + a.code()
                + (a.text().isEmpty() ? "" : " (" + a.text() + ")")
                + " for control ID "
                + controlId);
      } else {
        verdict.up("MSA|AA");
      }
    }

    private static String printable(ByteBuf in) {
      int n = Math.min(16, in.readableBytes());
      byte[] b = new byte[n];
      in.getBytes(in.readerIndex(), b);
      return "'"
          + new String(b, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".")
          + "'";
    }

    private static String abbreviate(String s) {
      String one = s.replace('\r', '/');
      return one.length() > 80 ? one.substring(0, 80) + "..." : one;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(
          bytes.size() == 0
              ? "connection closed without an answer"
              : "connection closed mid-answer");
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(Failures.describe(cause));
      ctx.close();
    }
  }
}
