package org.lbctl.core.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.lbctl.core.dicom.AeTitle;
import org.lbctl.core.dicom.AssociationOutcome;
import org.lbctl.core.service.ServiceCounters;

/**
 * Reads a real server's first answer to an association the DICOM gate sent it, counts it (accepted,
 * rejected or aborted), puts the title the client called back into an A-ASSOCIATE-AC when the gate
 * rewrote it, and then leaves the server's bytes to the relay alone.
 */
final class DicomServerWatch extends ChannelInboundHandlerAdapter {
  private static final int ASSOCIATE_AC = 0x02;
  private static final int ASSOCIATE_RJ = 0x03;

  /** The called AE title field in an A-ASSOCIATE-AC or -RQ: after the header and 4 bytes. */
  private static final int CALLED = 10;

  private final ServiceCounters counters;
  private final byte[] calledAsSent;
  private ByteBuf held;

  /**
   * @param calledAs the title the client called, to restore in the answer; null when the request
   *     went unchanged
   */
  DicomServerWatch(ServiceCounters counters, String calledAs) {
    this.counters = counters;
    this.calledAsSent = calledAs == null ? null : AeTitle.wire(calledAs);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf in = (ByteBuf) msg;
    if (held == null) {
      held = in;
    } else {
      ByteBuf both = ctx.alloc().buffer(held.readableBytes() + in.readableBytes());
      both.writeBytes(held).writeBytes(in);
      held.release();
      in.release();
      held = both;
    }
    int type = held.getUnsignedByte(held.readerIndex());
    int need =
        type == ASSOCIATE_AC && calledAsSent != null
            ? CALLED + AeTitle.LENGTH
            : type == ASSOCIATE_RJ ? 10 : 1;
    if (held.readableBytes() < need) {
      return;
    }
    if (type == ASSOCIATE_AC) {
      counters.countAssociation(AssociationOutcome.ACCEPTED);
      if (calledAsSent != null) {
        // PS3.8 has the AC repeat the request's titles; some callers check that it does.
        held.setBytes(held.readerIndex() + CALLED, calledAsSent);
      }
    } else if (type == ASSOCIATE_RJ) {
      counters.countAssociation(AssociationOutcome.REJECTED_BY_SERVER);
    } else {
      counters.countAssociation(AssociationOutcome.ABORTED_BY_SERVER);
    }
    ByteBuf out = held;
    held = null;
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(out);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Closed before a whole first answer: no answer is an abort too.
    counters.countAssociation(AssociationOutcome.ABORTED_BY_SERVER);
    if (held != null) {
      ByteBuf out = held;
      held = null;
      ctx.fireChannelRead(out);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
