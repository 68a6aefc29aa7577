package org.lbctl.core.health.dicom;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts the byte stream into PDUs (type, reserved, 32-bit length) and refuses anything that cannot
 * be one before reading further: an unknown type (an HTTP server answering "HTTP/1.1 400", say) or
 * a length no C-ECHO answer needs, so a flood cannot fill memory.
 */
final class PduFramer extends ByteToMessageDecoder {
  /** Larger than any association answer or echo response; the peer was told 16 KiB. */
  static final int MAX_PDU = 65536;

  /** One PDU: its type and body. */
  record Frame(int type, byte[] body) {}

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.readableBytes() >= 6) {
      int type = in.getUnsignedByte(in.readerIndex());
      long length = in.getUnsignedInt(in.readerIndex() + 2);
      if (type < DicomPdus.ASSOCIATE_RQ || type > DicomPdus.ABORT) {
        throw new DecoderException(new DicomProtocolException("not a DICOM answer: " + peek(in)));
      }
      if (length > MAX_PDU) {
        throw new DecoderException(
            new DicomProtocolException(
                "a PDU of " + length + " bytes, longer than any C-ECHO answer (" + MAX_PDU + ")"));
      }
      if (in.readableBytes() < 6 + length) {
        return;
      }
      in.skipBytes(6);
      byte[] body = new byte[(int) length];
      in.readBytes(body);
      out.add(new Frame(type, body));
    }
  }

  /** The first bytes as hex and as text, for the log. */
  private static String peek(ByteBuf in) {
    int n = Math.min(8, in.readableBytes());
    byte[] b = new byte[n];
    in.getBytes(in.readerIndex(), b);
    StringBuilder text = new StringBuilder();
    for (char c : new String(b, StandardCharsets.ISO_8859_1).toCharArray()) {
      text.append(c >= 0x20 && c < 0x7f ? c : '.');
    }
    return "it starts " + java.util.HexFormat.ofDelimiter(" ").formatHex(b) + " ('" + text + "')";
  }
}
