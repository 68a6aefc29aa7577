package org.lbctl.core.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.lbctl.core.http.HttpLimits;
import org.lbctl.core.http.HttpPipelining;
import org.lbctl.core.http.HttpRequestDefences;
import org.lbctl.core.service.ServiceCounters;

/**
 * The handlers of an HTTP-mode client connection: over TLS, the protocol the handshake chose (ALPN:
 * {@code h2} when the termination offers it, else HTTP/1.1); HTTP/1.1 as framing, pipelining,
 * defences and the proxy; HTTP/2 as {@link Http2Frontend} builds it. A client that moves nothing
 * for its timeout is closed either way.
 */
final class HttpPipelines {
  private final ProxySettings settings;
  private final BiFunction<String, String, SslContext> reencryption;

  HttpPipelines(ProxySettings settings, BiFunction<String, String, SslContext> reencryption) {
    this.settings = settings;
    this.reencryption = reencryption;
  }

  /** A new client connection of {@code l}. */
  void init(Channel ch, VipListener l) {
    ServiceCounters counters = l.runtime().counters();
    counters.track(ch);
    // Client side: what clients sent is "in", what they got is "out", as in TCP mode.
    ch.pipeline()
        .addLast("bytes", new ByteCounter(counters::addBytesIn, counters::addBytesOut))
        .addLast("idle", idle(l));
    if (l.tls() == null) {
      http1(ch.pipeline(), l, false);
      return;
    }
    ch.pipeline()
        .addBefore("idle", "tls", new SniHandler(l.tls()))
        .addBefore("idle", "handshake", new TlsHandshakeLog(l.runtime().label()))
        .addLast("alpn", new ProtocolChoice(l));
  }

  private void http1(ChannelPipeline p, VipListener l, boolean tls) {
    HttpLimits d = HttpLimits.DEFAULT;
    HttpLimits limits =
        new HttpLimits(
            d.maxRequestLine(),
            d.maxHeaderBytes(),
            d.maxHeaders(),
            l.runtime().config().timeouts().httpRequest());
    ServiceCounters counters = l.runtime().counters();
    p.addLast("decoder", HttpRequestDefences.decoder(limits))
        .addLast("pipelining", new HttpPipelining(counters::countRejected))
        .addLast("encoder", new HttpResponseEncoder())
        .addLast(
            "defences",
            new HttpRequestDefences(limits, l.runtime().label(), counters::countRejected))
        .addLast("proxy", new HttpProxyHandler(l, settings, tls, reencryption));
  }

  private static IdleStateHandler idle(VipListener l) {
    long idle = l.runtime().config().timeouts().client().toMillis();
    return new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS);
  }

  /** Builds the rest of a TLS connection's pipeline once the handshake chose its protocol. */
  private final class ProtocolChoice extends ApplicationProtocolNegotiationHandler {
    private final VipListener listener;

    ProtocolChoice(VipListener listener) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      // Reads are asked for: the handshake needs the first one.
      super.channelActive(ctx);
      ctx.read();
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        // Http2Guard times the connection by its streams: PINGs must not keep it open.
        ctx.pipeline().remove("idle");
        Http2Frontend.install(ctx.pipeline(), listener, settings, reencryption);
        // The connection reads on its own: each stream's window holds back what it carries.
        ctx.channel().config().setAutoRead(true);
        return;
      }
      http1(ctx.pipeline(), listener, true);
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      // TlsHandshakeLog has said why.
      ctx.close();
    }
  }
}
