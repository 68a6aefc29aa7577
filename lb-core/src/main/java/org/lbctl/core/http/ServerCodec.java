package org.lbctl.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The codec of a connection to a real server in HTTP mode: requests out; responses in, read with
 * the limits requests have (Netty's defaults, 4 KiB for the status line and 8 KiB of headers, turn
 * a web application's large cookies or security headers into 502s), strict lines, and each
 * response's raw bytes held to RFC 9112 ({@link MessageHead#responseProblem}, {@link
 * ChunkedBodyCheck}). A HEAD request's response has no body, whatever its headers say.
 */
public final class ServerCodec
    extends CombinedChannelDuplexHandler<ServerCodec.ResponseDecoder, ServerCodec.RequestEncoder> {
  private final Queue<HttpMethod> asked = new ArrayDeque<>();

  private ServerCodec(HttpDecoderConfig config) {
    init(new ResponseDecoder(config), new RequestEncoder());
  }

  public static ServerCodec create() {
    return new ServerCodec(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(HttpLimits.DEFAULT.maxRequestLine())
            .setMaxHeaderSize(HttpLimits.DEFAULT.maxHeaderBytes())
            .setMaxChunkSize(65536)
            .setStrictLineParsing(true));
  }

  /** Remembers each request's method: the response to a HEAD has no body. */
  final class RequestEncoder extends HttpRequestEncoder {
    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out)
        throws Exception {
      if (msg instanceof HttpRequest r) {
        asked.add(r.method());
      }
      super.encode(ctx, msg, out);
    }
  }

  /** Netty's response decoder, with the raw bytes checked beside it. */
  final class ResponseDecoder extends HttpResponseDecoder {
    private final HeadCapture capture;

    ResponseDecoder(HttpDecoderConfig config) {
      super(config);
      HttpLimits d = HttpLimits.DEFAULT;
      this.capture =
          new HeadCapture(
              MessageHead::responseProblem,
              d.maxRequestLine() + d.maxHeaderBytes() + 4 * d.maxHeaders() + 1024,
              d.maxHeaderBytes());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      int from = buffer.readerIndex();
      int first = out.size();
      super.decode(ctx, buffer, out);
      capture.decoded(buffer, from, out, first);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      HttpResponse r = (HttpResponse) msg;
      if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // An interim response: the final one answers the same request.
        return super.isContentAlwaysEmpty(msg);
      }
      HttpMethod method = asked.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
