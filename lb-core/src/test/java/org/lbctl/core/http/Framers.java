package org.lbctl.core.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The proxy's HTTP/1.1 framing as the fuzz targets and the differential tests see it: bytes in, the
 * complete messages it hands on out. Requests go through the client pipeline of HTTP mode (decoder,
 * pipelining, defences); responses through a real-server connection's codec. A message counts once
 * its end has passed with nothing refused.
 */
public final class Framers {
  private static final HttpLimits LIMITS =
      new HttpLimits(
          HttpLimits.DEFAULT.maxRequestLine(),
          HttpLimits.DEFAULT.maxHeaderBytes(),
          HttpLimits.DEFAULT.maxHeaders(),
          Duration.ofSeconds(10));

  /** The requests a response harness has asked before the responses come. */
  public static final int ASKED = 16;

  private Framers() {}

  /** The requests the proxy would route, in order, from {@code input} sent on one connection. */
  public static List<StrictHttpParser.Message> requests(byte[] input) {
    Collector collector = new Collector(true);
    EmbeddedChannel ch =
        new EmbeddedChannel(
            HttpRequestDefences.decoder(LIMITS),
            new HttpPipelining(r -> {}),
            new HttpResponseEncoder(),
            new HttpRequestDefences(LIMITS, "fuzz", r -> {}),
            collector);
    ch.writeInbound(Unpooled.wrappedBuffer(input));
    ch.finishAndReleaseAll();
    return collector.complete;
  }

  /** The responses the proxy would relay, in order, to requests of {@code method}. */
  public static List<StrictHttpParser.Message> responses(byte[] input, HttpMethod method) {
    Collector collector = new Collector(false);
    EmbeddedChannel ch = new EmbeddedChannel(ServerCodec.create(), collector);
    for (int i = 0; i < ASKED; i++) {
      ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
    }
    for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
      b.release();
    }
    ch.writeInbound(Unpooled.wrappedBuffer(input));
    // A body without a length ends with the connection.
    ch.finishAndReleaseAll();
    return collector.complete;
  }

  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final boolean requests;
    final List<StrictHttpParser.Message> complete = new ArrayList<>();
    private HttpObject head;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean broken;

    Collector(boolean requests) {
      this.requests = requests;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (broken || !(msg instanceof HttpObject o) || o.decoderResult().isFailure()) {
          broken = true;
          return;
        }
        if (msg instanceof HttpResponse r && r.status().code() == 101) {
          // ServerResponseRelay refuses a switch nobody asked for: these requests asked none.
          broken = true;
          return;
        }
        if (msg instanceof HttpRequest || msg instanceof HttpResponse) {
          head = o;
          body.reset();
        }
        if (msg instanceof HttpContent c) {
          byte[] b = new byte[c.content().readableBytes()];
          c.content().getBytes(c.content().readerIndex(), b);
          body.writeBytes(b);
        }
        if (msg instanceof LastHttpContent last) {
          complete.add(message(last.trailingHeaders()));
          // The proxy ends a connection that is not kept alive after this message: nothing after
          // it is read (HttpProxyHandler for a client, ServerResponseRelay for a server).
          broken = !HttpUtil.isKeepAlive((HttpMessage) head);
          head = null;
          if (requests) {
            // The exchange is over: HttpPipelining hands on the next request.
            ctx.pipeline().fireUserEventTriggered(HttpRequestDefences.NEXT_REQUEST);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof HttpRequestDefences.MalformedBody) {
        broken = true;
      }
    }

    private StrictHttpParser.Message message(HttpHeaders trailers) {
      if (head instanceof HttpRequest r) {
        return new StrictHttpParser.Message(
            r.method().name(),
            r.uri(),
            r.protocolVersion().text(),
            fields(r.headers()),
            body.toByteArray(),
            fields(trailers));
      }
      HttpResponse r = (HttpResponse) head;
      return new StrictHttpParser.Message(
          String.valueOf(r.status().code()),
          "",
          r.protocolVersion().text(),
          fields(r.headers()),
          body.toByteArray(),
          fields(trailers));
    }

    private static List<String> fields(HttpHeaders h) {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, String> e : h) {
        out.add(e.getKey().toLowerCase(Locale.ROOT) + ": " + e.getValue());
      }
      return out;
    }
  }
}
