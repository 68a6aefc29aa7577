package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalResponsesTest {
  @Test
  void theHttpsLocationKeepsTheHostWithoutItsPortAndTheTarget() {
    assertThat(LocalResponses.httpsLocation("epic.example:80", "/a?b=c"))
        .contains("https://epic.example/a?b=c");
    assertThat(LocalResponses.httpsLocation("[2001:db8::1]:80", "/"))
        .contains("https://[2001:db8::1]/");
    assertThat(LocalResponses.httpsLocation("  ", "/")).isEmpty();
    assertThat(LocalResponses.httpsLocation(null, "/")).isEmpty();
  }
}
