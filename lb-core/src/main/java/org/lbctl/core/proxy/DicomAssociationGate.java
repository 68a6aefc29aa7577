package org.lbctl.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.lbctl.core.dicom.AeTitle;
import org.lbctl.core.dicom.AssociateRequest;
import org.lbctl.core.dicom.AssociationOutcome;
import org.lbctl.core.dicom.AssociationPdus;
import org.lbctl.core.dicom.AssociationRouter;
import org.lbctl.core.dicom.PduException;
import org.lbctl.core.service.Pool;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front of a DICOM virtual service: reads the client's A-ASSOCIATE-RQ, then either rejects it
 * itself (A-ASSOCIATE-RJ for an AE title nobody serves, A-ABORT for a PDU that breaks PS3.8) or
 * hands the connection to a {@link TcpFrontendHandler} restricted to the pool the AE titles chose,
 * which sends the request on to the server it picks and relays bytes from then on.
 */
final class DicomAssociationGate extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(DicomAssociationGate.class);

  /**
   * The largest A-ASSOCIATE-RQ read: room for every presentation context a modality proposes (128,
   * each with several transfer syntaxes) many times over, and a bound on what a client can make
   * this node hold before it is admitted.
   */
  static final int MAX_REQUEST = 128 * 1024;

  /** PS3.8's ARTIM: how long a connection may take to send its whole request. */
  static final Duration REQUEST_WAIT = Duration.ofSeconds(30);

  /** Where the Called AE title sits in the A-ASSOCIATE-RQ. */
  private static final int CALLED_AE = 10;

  private final VipListener listener;
  private final ProxySettings settings;
  private final BiFunction<String, String, SslContext> reencryption;
  private VirtualServiceRuntime vip;
  private ByteBuf request;
  private ScheduledFuture<?> timer;
  private boolean decided;

  DicomAssociationGate(
      VipListener listener,
      ProxySettings settings,
      BiFunction<String, String, SslContext> reencryption) {
    this.listener = listener;
    this.settings = settings;
    this.reencryption = reencryption;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    vip = listener.runtime();
    vip.counters().track(ctx.channel());
    request = ctx.alloc().heapBuffer(512, MAX_REQUEST);
    long wait = Math.min(REQUEST_WAIT.toMillis(), vip.config().timeouts().client().toMillis());
    timer =
        ctx.executor()
            .schedule(
                () -> incomplete(ctx, "no whole A-ASSOCIATE-RQ within " + wait + " ms"),
                wait,
                TimeUnit.MILLISECONDS);
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    try {
      if (decided) {
        return;
      }
      // Refuse a length beyond the bound before copying, so nothing past it is ever held.
      int room = MAX_REQUEST - request.readableBytes();
      request.writeBytes(in, Math.min(room, in.readableBytes()));
      judge(ctx, in.isReadable());
    } finally {
      in.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!decided) {
      ctx.read();
    }
  }

  /** Decides once the header or the whole request is in; waits for more otherwise. */
  private void judge(ChannelHandlerContext ctx, boolean overflowed) {
    if (request.readableBytes() < AssociateRequest.HEADER) {
      return;
    }
    int type = request.getUnsignedByte(0);
    if (type != AssociateRequest.TYPE) {
      malformed(
          ctx,
          new PduException(
              "first PDU is of type 0x" + Integer.toHexString(type) + ", not an A-ASSOCIATE-RQ",
              type >= 0x02 && type <= 0x07
                  ? PduException.UNEXPECTED_PDU
                  : PduException.UNRECOGNIZED_PDU));
      return;
    }
    long length = request.getUnsignedInt(2);
    if (length > MAX_REQUEST - AssociateRequest.HEADER) {
      malformed(
          ctx,
          new PduException(
              "A-ASSOCIATE-RQ of "
                  + length
                  + " bytes, more than the "
                  + (MAX_REQUEST - AssociateRequest.HEADER)
                  + " this node reads",
              PduException.INVALID_PARAMETER_VALUE));
      return;
    }
    long whole = AssociateRequest.HEADER + length;
    if (request.readableBytes() < whole) {
      return;
    }
    if (request.readableBytes() > whole || overflowed) {
      // A requestor waits for the answer before it sends anything else (PS3.8 9.1.3).
      malformed(
          ctx,
          new PduException(
              "bytes after the A-ASSOCIATE-RQ, before any answer", PduException.UNEXPECTED_PDU));
      return;
    }
    byte[] pdu = new byte[request.readableBytes()];
    request.getBytes(0, pdu);
    AssociateRequest rq;
    try {
      rq = AssociateRequest.parse(pdu);
    } catch (PduException e) {
      malformed(ctx, e);
      return;
    }
    AssociationRouter.Decision d =
        vip.associations()
            .decide(rq, ((java.net.InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
    if (d instanceof AssociationRouter.Route route) {
      admit(ctx, rq, route);
    } else {
      reject(ctx, rq, (AssociationRouter.Reject) d);
    }
  }

  private void admit(ChannelHandlerContext ctx, AssociateRequest rq, AssociationRouter.Route r) {
    decide(AssociationOutcome.ROUTED);
    log.debug(
        "vip {}: association from {} calling '{}' as '{}' goes to pool {}",
        vip.label(),
        ctx.channel().remoteAddress(),
        rq.calledAeTitle(),
        rq.callingAeTitle(),
        r.servers());
    ByteBuf first = request;
    request = null;
    long admitted = System.nanoTime();
    ctx.channel()
        .closeFuture()
        .addListener(f -> vip.counters().associationLength().record(System.nanoTime() - admitted));
    ctx.pipeline()
        .replace(
            this,
            "frontend",
            new TcpFrontendHandler(
                listener,
                settings,
                reencryption,
                new TcpFrontendHandler.Admission(
                    vip,
                    new Pool(r.servers(), r.scope()),
                    first,
                    (backend, bytes, server) -> {
                      String title =
                          backend == null
                              ? null
                              : vip.config()
                                  .dicom()
                                  .map(d -> d.serverAeTitles().get(backend.label()))
                                  .orElse(null);
                      if (title != null) {
                        bytes.setBytes(CALLED_AE, AeTitle.wire(title));
                      }
                      if (backend == null) {
                        // The fallback server's answers are not the pool's.
                        return;
                      }
                      server
                          .pipeline()
                          .addBefore(
                              "relay",
                              "dicom-answer",
                              new DicomServerWatch(
                                  vip.counters(), title == null ? null : rq.calledAeTitle()));
                    },
                    client -> {
                      vip.counters().countAssociation(AssociationOutcome.REJECTED_NO_SERVER);
                      client
                          .writeAndFlush(Unpooled.wrappedBuffer(AssociationPdus.busy()))
                          .addListener(ChannelFutureListener.CLOSE);
                    })));
  }

  private void reject(ChannelHandlerContext ctx, AssociateRequest rq, AssociationRouter.Reject r) {
    decide(r.outcome());
    settings
        .associationLog()
        .warn(
            log,
            "vip {}: A-ASSOCIATE-RJ to {} (called '{}', calling '{}'): {}",
            vip.label(),
            ctx.channel().remoteAddress(),
            rq.calledAeTitle(),
            rq.callingAeTitle(),
            r.why());
    answerAndClose(ctx, AssociationPdus.reject(r.reason()));
  }

  private void malformed(ChannelHandlerContext ctx, PduException e) {
    decide(AssociationOutcome.MALFORMED);
    settings
        .associationLog()
        .warn(
            log,
            "vip {}: A-ABORT to {}: {}",
            vip.label(),
            ctx.channel().remoteAddress(),
            e.getMessage());
    answerAndClose(ctx, AssociationPdus.abort(e.abortReason()));
  }

  private void incomplete(ChannelHandlerContext ctx, String why) {
    if (decided) {
      return;
    }
    decide(AssociationOutcome.INCOMPLETE);
    log.debug("vip {}: closing {}: {}", vip.label(), ctx.channel().remoteAddress(), why);
    ctx.close();
  }

  private void decide(AssociationOutcome outcome) {
    decided = true;
    if (timer != null) {
      timer.cancel(false);
    }
    vip.counters().countAssociation(outcome);
  }

  private static void answerAndClose(ChannelHandlerContext ctx, byte[] pdu) {
    ctx.writeAndFlush(Unpooled.wrappedBuffer(pdu)).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    incomplete(ctx, "closed before a whole A-ASSOCIATE-RQ");
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (request != null) {
      request.release();
      request = null;
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent || evt instanceof ChannelInputShutdownEvent) {
      incomplete(ctx, "idle or half-closed before a whole A-ASSOCIATE-RQ");
      ctx.close();
      return;
    }
    // TLS termination's SNI and handshake events pass on their way.
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("vip {}: client {}: {}", vip.label(), ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
