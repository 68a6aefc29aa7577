package org.lbctl.core.hl7;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Cuts an MLLP stream into messages (0x0B, the message, 0x1C 0x0D) and emits each whole message's
 * bytes, without the framing. Anything else is refused before more is read: a byte before the start
 * block, a start block inside a message, an end block not followed by CR, or a message longer than
 * the bound, so half a message never goes anywhere.
 */
public final class MllpFramer extends ByteToMessageDecoder {
  public static final byte START = 0x0b;
  public static final byte END = 0x1c;
  public static final byte CR = 0x0d;

  private static final ByteBuf START_BLOCK =
      Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {START}));
  private static final ByteBuf END_BLOCK =
      Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(new byte[] {END, CR}));

  private final long maxMessage;

  /**
   * {@code message} framed for MLLP again, without copying it: the result owns {@code message} and
   * releases it when released.
   */
  public static ByteBuf frame(ByteBuf message) {
    return Unpooled.wrappedBuffer(START_BLOCK.duplicate(), message, END_BLOCK.duplicate());
  }

  public MllpFramer(long maxMessage) {
    this.maxMessage = maxMessage;
  }

  /** Bytes of the current message already looked at: each byte is scanned once. */
  private int scanned;

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int start = in.readerIndex();
      byte first = in.getByte(start);
      if (first != START) {
        throw new DecoderException(
            new MllpException(
                "byte 0x"
                    + Integer.toHexString(first & 0xff)
                    + " where a message must start"
                    + " (0x0b)"));
      }
      int from = start + 1 + scanned;
      int mark =
          from >= in.writerIndex()
              ? -1
              : in.forEachByte(from, in.writerIndex() - from, b -> b != END && b != START);
      int length = (mark < 0 ? in.writerIndex() : mark) - start - 1;
      if (length > maxMessage) {
        throw new DecoderException(
            new MllpException("a message of more than " + maxMessage + " bytes (hl7.maxMessage)"));
      }
      if (mark < 0) {
        scanned = length;
        return;
      }
      if (in.getByte(mark) == START) {
        throw new DecoderException(
            new MllpException("a start block inside a message, " + (mark - start) + " bytes in"));
      }
      scanned = length;
      if (mark + 1 >= in.writerIndex()) {
        return;
      }
      if (in.getByte(mark + 1) != CR) {
        throw new DecoderException(
            new MllpException(
                "end block followed by 0x"
                    + Integer.toHexString(in.getByte(mark + 1) & 0xff)
                    + " instead of CR"));
      }
      out.add(in.retainedSlice(start + 1, length));
      in.readerIndex(mark + 2);
      scanned = 0;
    }
  }
}
