package org.lbctl.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The raw bytes of HTTP/1.1 messages as Netty's decoder consumes them, held to RFC 9112 beside it:
 * the decoder consumes a head and hands over its message in the same call, so the bytes consumed
 * from the end of one message to the next message are exactly that message's head; a chunked body
 * that follows is checked as it passes ({@link ChunkedBodyCheck}). A head that is not well-formed
 * marks its message failed; a body that is not replaces what the decoder made of it with a failed
 * part. The decoder's users refuse both (400 for a request, 502 for a response).
 */
final class HeadCapture {
  /** What is wrong with a head's bytes, or null. */
  interface Rules {
    String problem(byte[] head, int length);
  }

  private final Rules rules;
  private final int max;
  private final int maxTrailerBytes;
  // Grown as heads need it, kept small between them: most heads are a few hundred bytes.
  private byte[] head = new byte[512];
  private int length;
  private boolean overflow;
  // Between messages: what the decoder consumes now belongs to the next message's head.
  private boolean inHead = true;
  // The chunked body under way, checked as it passes; null for other bodies.
  private ChunkedBodyCheck body;

  HeadCapture(Rules rules, int maxHeadBytes, int maxTrailerBytes) {
    this.rules = rules;
    this.max = maxHeadBytes;
    this.maxTrailerBytes = maxTrailerBytes;
  }

  /**
   * After one decode call that consumed {@code buffer}'s bytes from {@code from} and added {@code
   * out}'s elements from {@code first}.
   */
  void decoded(ByteBuf buffer, int from, List<Object> out, int first) {
    int consumed = buffer.readerIndex() - from;
    if (inHead) {
      keep(buffer, from, consumed);
    } else if (body != null) {
      String problem = body.feed(buffer, from, buffer.readerIndex());
      if (problem != null) {
        body = null;
        // What the decoder made of these bytes (the body's end, perhaps) never goes on.
        while (out.size() > first) {
          ReferenceCountUtil.release(out.remove(out.size() - 1));
        }
        HttpContent failed = new DefaultHttpContent(Unpooled.EMPTY_BUFFER);
        failed.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
        out.add(failed);
        return;
      }
    }
    for (int i = first; i < out.size(); i++) {
      Object o = out.get(i);
      if (o instanceof HttpMessage m) {
        judge(m);
        inHead = false;
        // A chunked body follows unless the decoder ended the message at once (HEAD, 204, 304).
        boolean ended = i + 1 < out.size() && out.get(i + 1) instanceof LastHttpContent;
        body =
            !ended && m.decoderResult().isSuccess() && HttpUtil.isTransferEncodingChunked(m)
                ? new ChunkedBodyCheck(maxTrailerBytes)
                : null;
      }
      if (o instanceof LastHttpContent) {
        inHead = true;
        body = null;
      }
    }
  }

  private void keep(ByteBuf buffer, int from, int consumed) {
    if (length + consumed > max) {
      overflow = true;
      return;
    }
    if (length + consumed > head.length) {
      head =
          java.util.Arrays.copyOf(
              head, Math.min(max, Math.max(2 * head.length, length + consumed)));
    }
    buffer.getBytes(from, head, length, consumed);
    length += consumed;
  }

  private void judge(HttpMessage m) {
    if (m.decoderResult().isSuccess()) {
      if (overflow) {
        m.setDecoderResult(
            DecoderResult.failure(new TooLongHttpHeaderException("head over " + max + " bytes")));
      } else {
        // Everything is judged on the raw bytes: the headers Netty parsed are not looked at again.
        String problem = rules.problem(head, length);
        if (problem != null) {
          m.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
        }
      }
    }
    length = 0;
    overflow = false;
    if (head.length > 4096) {
      head = new byte[512];
    }
  }
}
