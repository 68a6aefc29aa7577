package org.lbctl.core.health.dicom;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.health.Check;
import org.lbctl.core.health.CheckResult;
import org.lbctl.core.health.CheckTarget;
import org.lbctl.core.health.CheckTlsContexts;
import org.lbctl.core.health.CheckTransport;
import org.lbctl.core.health.Failures;
import org.lbctl.core.health.Verdict;

/**
 * {@code dicom-echo}: associates with the real server as {@code calling} to {@code called},
 * proposing only Verification, sends a C-ECHO-RQ and wants a C-ECHO-RSP with status 0x0000; then
 * releases the association. A rejection, an abort, another status, anything that is not DICOM, or
 * silence past the timeout fails the check with the reason.
 */
public final class DicomEchoCheck implements Check {
  private final CheckTransport transport;
  private final String calling;
  private final String called;
  private final Optional<SslContext> tls;

  /**
   * @param tls DICOM TLS (PS3.15 annex B) when present: the association runs inside it
   */
  public DicomEchoCheck(
      CheckTransport transport, String calling, String called, Optional<SslContext> tls) {
    this.transport = transport;
    this.calling = calling;
    this.called = called;
    this.tls = tls;
  }

  @Override
  public CompletableFuture<CheckResult> run(CheckTarget target) {
    InetSocketAddress address = new InetSocketAddress(target.address(), target.ports().get(0));
    Verdict verdict =
        new Verdict(
            "C-ECHO to "
                + called
                + " at "
                + (tls.isPresent() ? "tls://" : "")
                + Endpoints.format(address));
    Echo echo = new Echo(verdict);
    transport.open(
        address,
        target.timeout(),
        verdict,
        new CheckTransport.Conversation() {
          @Override
          public List<ChannelHandler> handlers() {
            List<ChannelHandler> h = new java.util.ArrayList<>();
            tls.ifPresent(
                ctx ->
                    h.add(
                        ctx.newHandler(
                            io.netty.buffer.ByteBufAllocator.DEFAULT,
                            target.address().getHostAddress(),
                            address.getPort())));
            h.add(new PduFramer());
            h.add(echo);
            return h;
          }

          @Override
          public void start(Channel ch) {
            ch.writeAndFlush(Unpooled.wrappedBuffer(DicomPdus.associateRequest(calling, called)));
          }

          @Override
          public void timedOut() {
            echo.fail("no answer " + echo.waitingFor());
          }

          @Override
          public void finished(Channel ch) {
            echo.finish();
          }
        });
    return verdict.result();
  }

  /** One association, driven by the PDUs as they come. Runs on its channel's event loop. */
  private static final class Echo extends SimpleChannelInboundHandler<PduFramer.Frame> {
    private enum Phase {
      ASSOCIATING,
      ECHOING,
      RELEASING
    }

    private final Verdict verdict;
    private final int messageId = 1 + ThreadLocalRandom.current().nextInt(0xfffe);
    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.ASSOCIATING;

    Echo(Verdict verdict) {
      this.verdict = verdict;
    }

    String waitingFor() {
      return switch (phase) {
        case ASSOCIATING -> "to the A-ASSOCIATE-RQ";
        case ECHOING -> "to the C-ECHO-RQ";
        case RELEASING -> "to the A-RELEASE-RQ";
      };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, PduFramer.Frame frame) {
      DicomAnswer answer;
      try {
        answer = DicomAnswer.decode(frame.type(), frame.body());
      } catch (DicomProtocolException e) {
        fail(e.getMessage());
        return;
      }
      if (answer instanceof DicomAnswer.Abort a) {
        fail(a.describe());
      } else if (phase == Phase.ASSOCIATING) {
        associated(answer);
      } else if (phase == Phase.ECHOING) {
        echoed(answer);
      } else if (answer instanceof DicomAnswer.ReleaseReply) {
        ctx.close();
      }
    }

    private void associated(DicomAnswer answer) {
      if (answer instanceof DicomAnswer.Reject r) {
        fail(r.describe());
      } else if (answer instanceof DicomAnswer.Accept a) {
        if (a.contextResult() != 0) {
          abortWith("association accepted but Verification " + a.describeResult());
          return;
        }
        phase = Phase.ECHOING;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(DicomPdus.echoRequest(messageId)));
      } else {
        abortWith("answered the A-ASSOCIATE-RQ with " + answer.getClass().getSimpleName());
      }
    }

    private void echoed(DicomAnswer answer) {
      if (!(answer instanceof DicomAnswer.Data data)) {
        abortWith("answered the C-ECHO-RQ with " + answer.getClass().getSimpleName());
        return;
      }
      for (DicomAnswer.Pdv v : data.values()) {
        if (!v.command()) {
          abortWith("sent a data set after a C-ECHO-RQ");
          return;
        }
        command.writeBytes(v.fragment());
        if (v.last()) {
          respond();
          return;
        }
      }
    }

    private void respond() {
      EchoResponse rsp;
      try {
        rsp = EchoResponse.parse(command.toByteArray());
      } catch (DicomProtocolException e) {
        abortWith(e.getMessage());
        return;
      }
      if (rsp.commandField() != DicomPdus.C_ECHO_RSP || rsp.respondedTo() != messageId) {
        abortWith(
            String.format(
                "answered with command 0x%04x for message %d (expected a C-ECHO-RSP for %d)",
                rsp.commandField(), rsp.respondedTo(), messageId));
        return;
      }
      if (rsp.status() != 0) {
        phase = Phase.RELEASING;
        ctx.writeAndFlush(Unpooled.wrappedBuffer(DicomPdus.releaseRequest()));
        fail(String.format("C-ECHO status 0x%04x", rsp.status()));
        return;
      }
      verdict.up("success");
      // The echo is answered; the release is a courtesy that the timeout ends at the latest.
      phase = Phase.RELEASING;
      ctx.writeAndFlush(Unpooled.wrappedBuffer(DicomPdus.releaseRequest()));
    }

    private void abortWith(String reason) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(DicomPdus.abort()));
      fail(reason);
    }

    void fail(String reason) {
      verdict.down(reason);
    }

    /**
     * Closes the connection once the result is known, unless a release is under way: then the
     * A-RELEASE-RP closes it, or the timeout does.
     */
    void finish() {
      if (phase != Phase.RELEASING) {
        ctx.close();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (phase != Phase.RELEASING) {
        fail("connection closed " + waitingFor().replace("to the", "before answering the"));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable c =
          cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
      fail(
          c instanceof DicomProtocolException
              ? c.getMessage()
              : c instanceof javax.net.ssl.SSLException
                  ? "TLS handshake failed: " + CheckTlsContexts.reason(c)
                  : Failures.describe(c));
      ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent e && !e.isSuccess()) {
        fail("TLS handshake failed: " + CheckTlsContexts.reason(e.cause()));
      }
      ctx.fireUserEventTriggered(evt);
    }
  }
}
