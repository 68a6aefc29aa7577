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

  @Test
  void theHttpsLocationKeepsTheHostWithoutItsPortAndTheTarget() {
    assertThat(HopByHop.httpsLocation("epic.example:80", "/a?b=c"))
        .contains("https://epic.example/a?b=c");
    assertThat(HopByHop.httpsLocation("[2001:db8::1]:80", "/")).contains("https://[2001:db8::1]/");
    assertThat(HopByHop.httpsLocation("  ", "/")).isEmpty();
    assertThat(HopByHop.httpsLocation(null, "/")).isEmpty();
  }
}
