package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopTest {
  @Test
  void theFixedHeadersAndTheOnesConnectionNamesGoTheFramingStays() {
    HttpHeaders h =
        new DefaultHttpHeaders()
            .add("Connection", "keep-alive, X-Secret")
            .add("Connection", "transfer-encoding")
            .add("X-Secret", "from the client's hop only")
            .add("Keep-Alive", "timeout=5")
            .add("TE", "trailers")
            .add("Upgrade", "websocket")
            .add("Proxy-Authorization", "Basic eA==")
            .add("Transfer-Encoding", "chunked")
            .add("Content-Type", "text/plain")
            .add("X-Other", "kept");
    HopByHop.drop(h);
    assertThat(h.names()).containsExactlyInAnyOrder("Transfer-Encoding", "Content-Type", "X-Other");
  }
}
