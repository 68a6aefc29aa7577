package org.lbctl.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.util.List;

/**
 * Netty's request decoder with each request's raw bytes held to RFC 9112 ({@link HeadCapture},
 * {@link MessageHead#requestProblem}): what Netty would read leniently (any whitespace or a bare CR
 * between the words of the request line, leading junk, folded lines, junk after a chunk size) is
 * refused instead of being re-encoded into a request the client never sent.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
  private final HeadCapture capture;

  StrictRequestDecoder(HttpDecoderConfig config, int maxHeadBytes, int maxTrailerBytes) {
    super(config);
    this.capture = new HeadCapture(MessageHead::requestProblem, maxHeadBytes, maxTrailerBytes);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    int from = buffer.readerIndex();
    int first = out.size();
    super.decode(ctx, buffer, out);
    capture.decoded(buffer, from, out, first);
  }
}
