package org.lbctl.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The request defences on raw bytes. The Transfer-Encoding cases follow HAProxy's
 * reg-tests/http-messaging/http_transfer_encoding.vtc, here refused rather than normalised.
 */
class HttpRequestDefencesTest {
  private static final HttpLimits LIMITS = new HttpLimits(128, 1024, 20, Duration.ofSeconds(10));
  private final List<String> passed = new ArrayList<>();
  private final List<Object> events = new ArrayList<>();
  private final List<HttpRejection> rejected = new ArrayList<>();
  private final EmbeddedChannel ch = channel();

  private EmbeddedChannel channel() {
    return new EmbeddedChannel(
        new HttpResponseEncoder(),
        HttpRequestDefences.decoder(LIMITS),
        new HttpRequestDefences(LIMITS, "web", rejected::add),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest r) {
              passed.add(r.method() + " " + r.uri());
            }
            ReferenceCountUtil.release(msg);
          }

          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
          }
        });
  }

  private void send(String raw) {
    ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
  }

  /** The status line the proxy answered with, or "" when it answered nothing. */
  private String answer() {
    StringBuilder out = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    String s = out.toString();
    return s.isEmpty() ? "" : s.substring(0, s.indexOf("\r\n"));
  }

  private void assertRefused(String raw, String status) {
    send(raw);
    assertThat(answer()).isEqualTo("HTTP/1.1 " + status);
    assertThat(ch.isOpen()).as("closed after the refusal").isFalse();
  }

  @Test
  void anOrdinaryRequestPassesAndGetsNoAnswerFromTheDefences() {
    send("GET /mychart HTTP/1.1\r\nHost: portal\r\n\r\n");
    assertThat(passed).containsExactly("GET /mychart");
    assertThat(answer()).isEmpty();
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void transferEncodingWithContentLengthIsRefusedAndTheSmuggledRequestNeverPasses() {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 31\r\n\r\n"
            + "0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        "400 Bad Request");
    assertThat(passed).isEmpty();
  }

  @Test
  void aRepeatedTransferEncodingIsRefused() {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        "400 Bad Request");
  }

  @Test
  void chunkedTwiceAroundAnotherCodingIsRefused() {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip, chunked\r\n\r\n0\r\n\r\n",
        "400 Bad Request");
  }

  @Test
  void chunkedThatIsNotLastIsRefused() {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        "400 Bad Request");
  }

  @Test
  void aCodingWithoutChunkedIsRefused() {
    assertRefused(
        "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "400 Bad Request");
  }

  @Test
  void aWellFormedCodingThisProxyDoesNotDecodeIsNotImplemented() {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "501 Not Implemented");
  }

  @Test
  void theTeRequestHeaderIsNotATransferEncoding() {
    send(
        "POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTE: trailers, gzip\r\n\r\n"
            + "0\r\n\r\n");
    assertThat(passed).containsExactly("POST /1");
  }

  @Test
  void twoDifferentContentLengthsAreRefused() {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
        "400 Bad Request");
  }

  @Test
  void oversizedRequestsGetTheirOwnStatus() {
    assertRefused(
        "GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: a\r\n\r\n", "414 Request-URI Too Long");
    EmbeddedChannel many = channel();
    StringBuilder h = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 25; i++) {
      h.append("X-").append(i).append(": 1\r\n");
    }
    many.writeInbound(Unpooled.copiedBuffer(h + "\r\n", StandardCharsets.ISO_8859_1));
    ByteBuf out = many.readOutbound();
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .startsWith("HTTP/1.1 431 Request Header Fields Too Large");
    out.release();
    EmbeddedChannel big = channel();
    big.writeInbound(
        Unpooled.copiedBuffer(
            "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + "x".repeat(2000) + "\r\n\r\n",
            StandardCharsets.ISO_8859_1));
    ByteBuf bigOut = big.readOutbound();
    assertThat(bigOut.toString(StandardCharsets.ISO_8859_1))
        .startsWith("HTTP/1.1 431 Request Header Fields Too Large");
    bigOut.release();
  }

  @Test
  void aClientTooSlowWithItsHeadersGets408AndIsClosed() {
    EmbeddedChannel slow = channel();
    slow.freezeTime();
    slow.writeInbound(
        Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n", StandardCharsets.ISO_8859_1));
    slow.advanceTimeBy(9, TimeUnit.SECONDS);
    slow.runScheduledPendingTasks();
    assertThat(slow.isOpen()).isTrue();
    slow.advanceTimeBy(2, TimeUnit.SECONDS);
    slow.runScheduledPendingTasks();
    ByteBuf out = slow.readOutbound();
    assertThat(out.toString(StandardCharsets.ISO_8859_1))
        .startsWith("HTTP/1.1 408 Request Timeout");
    out.release();
    assertThat(slow.isOpen()).isFalse();
  }

  @Test
  void theClockRestartsOnlyWhenTheExchangeIsOver() {
    EmbeddedChannel c = channel();
    c.freezeTime();
    c.writeInbound(
        Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
    // A slow response is not the client's fault.
    c.advanceTimeBy(60, TimeUnit.SECONDS);
    c.runScheduledPendingTasks();
    assertThat(c.isOpen()).isTrue();
    c.pipeline().fireUserEventTriggered(HttpRequestDefences.NEXT_REQUEST);
    c.advanceTimeBy(11, TimeUnit.SECONDS);
    c.runScheduledPendingTasks();
    assertThat(c.isOpen()).isFalse();
  }

  @Test
  void eachRequestGetsTheWholeTimeoutEvenWhenTheTimerWasSetForAnEarlierOne() {
    EmbeddedChannel c = channel();
    c.freezeTime();
    // The timer armed at the connection fires at 10 s; the second request's clock started at 5 s.
    c.advanceTimeBy(1, TimeUnit.SECONDS);
    c.writeInbound(
        Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.ISO_8859_1));
    c.advanceTimeBy(4, TimeUnit.SECONDS);
    c.pipeline().fireUserEventTriggered(HttpRequestDefences.NEXT_REQUEST);
    c.advanceTimeBy(9_900, TimeUnit.MILLISECONDS);
    c.runScheduledPendingTasks();
    assertThat(c.isOpen()).as("14.9 s: the second request has 0.1 s left").isTrue();
    c.advanceTimeBy(200, TimeUnit.MILLISECONDS);
    c.runScheduledPendingTasks();
    assertThat(c.isOpen()).as("15.1 s: its 10 s are over").isFalse();
  }

  @Test
  void aConnectionHeaderNamingAFramingOrAddressingHeaderIsRefused() {
    send(
        "POST / HTTP/1.1\r\nHost: a\r\nConnection: close, Content-Length\r\nContent-Length: 1\r\n\r\nx");
    assertThat(answer()).isEqualTo("HTTP/1.1 400 Bad Request");
    assertThat(passed).isEmpty();
    assertThat(rejected).containsExactly(HttpRejection.CONNECTION_NAMES_FRAMING);
  }

  @Test
  void anHttpVersionOtherThanOneIsRefusedWith505() {
    send("GET / HTTP/2.0\r\nHost: a\r\n\r\n");
    assertThat(answer()).isEqualTo("HTTP/1.1 505 HTTP Version Not Supported");
    assertThat(passed).isEmpty();
    assertThat(rejected).containsExactly(HttpRejection.UNSUPPORTED_VERSION);
  }

  @Test
  void aBodyThatCannotBeFramedIsHandedOnAsAnEventNeverAsContent() {
    send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n");
    assertThat(passed).containsExactly("POST /");
    assertThat(events)
        .singleElement()
        .isInstanceOfSatisfying(
            HttpRequestDefences.MalformedBody.class,
            m -> assertThat(m.reason()).startsWith("malformed request body"));
    assertThat(rejected).containsExactly(HttpRejection.MALFORMED_BODY);
    // Nothing the client sends after it is read.
    send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(passed).containsExactly("POST /");
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "a bare CR between the words of the request line|POST /s<CR>HTTP/1.1<CRLF>Host: a<CRLF><CRLF>|400",
        "two spaces in the request line|GET  / HTTP/1.1<CRLF>Host: a<CRLF><CRLF>|400",
        "junk before the request line|<SOH>GET / HTTP/1.1<CRLF>Host: a<CRLF><CRLF>|400",
        "a folded header line|GET / HTTP/1.1<CRLF>Host: a<CRLF>X-A: one<CRLF> two<CRLF><CRLF>|400",
        "a target that is neither a path nor a URI|GET (s HTTP/1.1<CRLF>Host: a<CRLF><CRLF>|400",
        "an empty element in Transfer-Encoding|POST / HTTP/1.1<CRLF>Host: a<CRLF>Transfer-Encoding: chunked,<CRLF><CRLF>0<CRLF><CRLF>|400",
        "HTTP/1.2|GET / HTTP/1.2<CRLF>Host: a<CRLF><CRLF>|505",
        "the hixie-76 WebSocket handshake, 8 bytes of body to Netty|GET / HTTP/1.1<CRLF>Host: a<CRLF>Sec-WebSocket-Key1: 1<CRLF>Sec-WebSocket-Key2: 2<CRLF><CRLF>12345678|400",
        "CONNECT|CONNECT db.example:5432 HTTP/1.1<CRLF>Host: db.example:5432<CRLF><CRLF>|501",
      })
  void whatStrictReadersReadOtherwiseIsRefused(String what, String raw, int status) {
    send(unescape(raw));
    assertThat(answer()).startsWith("HTTP/1.1 " + status);
    assertThat(passed).isEmpty();
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(
      delimiter = '|',
      value = {
        "whitespace before a chunk extension|1 ;a=b<CRLF>x<CRLF>0<CRLF><CRLF>",
        "whitespace around '='|1;a = b<CRLF>x<CRLF>0<CRLF><CRLF>",
        "junk after a chunk size|1x<CRLF>x<CRLF>0<CRLF><CRLF>",
        "a folded trailer line|1<CRLF>x<CRLF>0<CRLF>X-A: one<CRLF> two<CRLF><CRLF>",
        "a length in the trailers|1<CRLF>x<CRLF>0<CRLF>Content-Length: 5<CRLF><CRLF>",
        "a bare LF after a chunk size|1<LF>x<CRLF>0<CRLF><CRLF>",
      })
  void chunkedBodiesStrictReadersReadOtherwiseNeverEndWell(String what, String body) {
    send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + unescape(body));
    assertThat(events).singleElement().isInstanceOf(HttpRequestDefences.MalformedBody.class);
    assertThat(rejected).containsExactly(HttpRejection.MALFORMED_BODY);
  }

  @Test
  void chunkExtensionsTrailersUpperCaseHexAndLeadingZerosStillPass() {
    send(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "000A;name=value;flag;q=\"a;b\"\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n");
    assertThat(passed).containsExactly("POST /");
    assertThat(events).isEmpty();
    assertThat(rejected).isEmpty();
  }

  /** The test tables' names for the bytes a CSV cannot hold. */
  private static String unescape(String s) {
    return s.replace("<CRLF>", "\r\n")
        .replace("<CR>", "\r")
        .replace("<LF>", "\n")
        .replace("<SOH>", "\u0001");
  }
}
