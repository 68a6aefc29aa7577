package org.lbctl.core.health;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import org.lbctl.core.config.BodyMatch;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.HttpGet;

/**
 * {@code http-get} and {@code https-get}: one GET (Connection: close) with the configured path and
 * Host; healthy when the status is the expected one and the body contains or equals the expected
 * text. Over TLS the server's certificate is verified against the configured CA (with the Host as
 * the name to match and as SNI) and a client certificate is presented when one is configured.
 */
public final class HttpGetCheck implements Check {
  /** A health answer is short; a server that sends more is cut off here. */
  static final int MAX_BODY = 65536;

  private final CheckTransport transport;
  private final HttpGet http;
  private final Optional<SslContext> tls;

  public HttpGetCheck(CheckTransport transport, HttpGet http, Optional<SslContext> tls) {
    this.transport = transport;
    this.http = http;
    this.tls = tls;
  }

  @Override
  public CompletableFuture<CheckResult> run(CheckTarget target) {
    InetSocketAddress address = new InetSocketAddress(target.address(), target.ports().get(0));
    String host = http.host().isEmpty() ? Endpoints.format(address) : http.host();
    Verdict verdict =
        new Verdict(
            "GET "
                + (tls.isPresent() ? "https://" : "http://")
                + Endpoints.format(address)
                + http.path());
    Response response = new Response(verdict);
    transport.open(
        address,
        target.timeout(),
        verdict,
        new CheckTransport.Conversation() {
          @Override
          public List<ChannelHandler> handlers() {
            List<ChannelHandler> h = new ArrayList<>();
            tls.ifPresent(
                ctx -> {
                  // The name to verify and to send as SNI: the Host, or else the address itself.
                  String peer =
                      http.host().isEmpty() ? target.address().getHostAddress() : http.host();
                  h.add(
                      ctx.newHandler(
                          io.netty.buffer.ByteBufAllocator.DEFAULT, peer, address.getPort()));
                });
            h.add(new HttpClientCodec());
            h.add(new HttpObjectAggregator(MAX_BODY));
            h.add(response);
            return h;
          }

          @Override
          public void start(Channel ch) {
            FullHttpRequest get =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, http.path());
            get.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.USER_AGENT, "lbctl-health-check");
            ch.writeAndFlush(get);
          }

          @Override
          public void timedOut() {
            response.fail("no answer within " + target.timeout().toMillis() + " ms");
          }
        });
    return verdict.result();
  }

  /** Judges the one response. */
  private final class Response extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Verdict verdict;

    Response(Verdict verdict) {
      this.verdict = verdict;
    }

    void fail(String why) {
      verdict.down(why);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
      int status = r.status().code();
      if (status != http.expectStatus()) {
        fail("status " + status + " (expected " + http.expectStatus() + ")");
        return;
      }
      String body = r.content().toString(StandardCharsets.UTF_8);
      String expected = http.expectBody();
      boolean matches =
          expected.isEmpty()
              || (http.bodyMatch() == BodyMatch.EQUALS
                  ? body.strip().equals(expected)
                  : body.contains(expected));
      if (!matches) {
        fail(
            "body "
                + quote(body)
                + (http.bodyMatch() == BodyMatch.EQUALS ? " does not equal " : " does not contain ")
                + quote(expected));
        return;
      }
      verdict.up(Integer.toString(status));
    }

    private static String quote(String s) {
      String one = s.strip().replaceAll("\\s+", " ");
      return "'" + (one.length() > 60 ? one.substring(0, 60) + "..." : one) + "'";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
        fail("TLS handshake failed: " + CheckTlsContexts.reason(e.cause()));
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail("connection closed without a response");
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Throwable c =
          cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
      if (c instanceof TooLongFrameException) {
        fail("a response longer than " + MAX_BODY + " bytes");
      } else if (c instanceof SSLException) {
        fail("TLS handshake failed: " + CheckTlsContexts.reason(c));
      } else {
        fail(Failures.describe(c));
      }
      ctx.close();
    }
  }
}
