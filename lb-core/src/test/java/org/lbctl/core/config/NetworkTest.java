package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NetworkTest {
  @Test
  void aNetworkHoldsTheAddressesItsPrefixCovers() {
    Network n = Network.parse("10.20.0.0/16").orElseThrow();
    assertThat(n.contains(IpLiterals.parse("10.20.255.1"))).isTrue();
    assertThat(n.contains(IpLiterals.parse("10.21.0.1"))).isFalse();
    assertThat(n.contains(IpLiterals.parse("::ffff:10.20.3.4"))).isTrue();
    assertThat(n.contains(IpLiterals.parse("fd00::1"))).isFalse();
    assertThat(Network.parse("10.0.0.7").orElseThrow().contains(IpLiterals.parse("10.0.0.7")))
        .isTrue();
    assertThat(Network.parse("10.0.0.7").orElseThrow().contains(IpLiterals.parse("10.0.0.8")))
        .isFalse();
    assertThat(Network.parse("fd00::/8").orElseThrow().contains(IpLiterals.parse("fd12::1")))
        .isTrue();
    assertThat(Network.parse("10.0.0.0/33")).isEmpty();
    assertThat(Network.parse("10.0.0.0/x")).isEmpty();
    assertThat(Network.parse("pacs.example.org")).isEmpty();
  }
}
