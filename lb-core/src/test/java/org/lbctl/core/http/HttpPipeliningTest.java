package org.lbctl.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pipelined requests reach the proxy one exchange at a time, in order, and boundedly. */
class HttpPipeliningTest {
  private final List<String> seen = new ArrayList<>();
  private final List<HttpRejection> rejected = new ArrayList<>();
  private final EmbeddedChannel ch =
      new EmbeddedChannel(
          HttpRequestDefences.decoder(new HttpLimits(8192, 32768, 100, Duration.ofSeconds(10))),
          new HttpPipelining(rejected::add),
          new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              if (msg instanceof HttpRequest r) {
                seen.add(r.uri());
              } else if (msg instanceof LastHttpContent c) {
                seen.add("end " + c.content().toString(StandardCharsets.ISO_8859_1));
              } else if (msg instanceof HttpContent c) {
                seen.add("part " + c.content().toString(StandardCharsets.ISO_8859_1));
              }
              ReferenceCountUtil.release(msg);
            }
          });

  private void send(String raw) {
    ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
  }

  private void exchangeOver() {
    ch.pipeline().fireUserEventTriggered(HttpRequestDefences.NEXT_REQUEST);
    ch.runPendingTasks();
  }

  @Test
  void aRequestWaitsUntilTheExchangeBeforeItIsOver() {
    send(
        "POST /1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /2 HTTP/1.1\r\n\r\n"
            + "POST /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n0\r\n\r\n");
    assertThat(seen).containsExactly("/1", "end hello");
    exchangeOver();
    assertThat(seen).containsExactly("/1", "end hello", "/2", "end ");
    exchangeOver();
    assertThat(seen).endsWith("/3", "part he", "end ");
    exchangeOver();
    assertThat(seen).hasSize(7);
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void tooManyRequestsAheadOfTheirAnswersCloseTheConnection() {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= HttpPipelining.MAX_WAITING + 1; i++) {
      many.append("GET /").append(i).append(" HTTP/1.1\r\n\r\n");
    }
    send(many.toString());
    assertThat(ch.isOpen()).isFalse();
    assertThat(rejected).containsExactly(HttpRejection.TOO_MANY_PIPELINED);
    assertThat(seen).startsWith("/0");
    assertThat(seen).doesNotContain("/1");
  }
}
