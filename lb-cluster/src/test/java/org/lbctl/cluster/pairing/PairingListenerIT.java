package org.lbctl.cluster.pairing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.core.testing.Ports;

/** The pairing offer and a primary's request over a real TCP connection on loopback. */
class PairingListenerIT {
  private final SecureRandom random = new SecureRandom();
  private final PairingToken token = PairingToken.generate(random);
  private final List<PairingRequest> received = new CopyOnWriteArrayList<>();
  private final InetSocketAddress listen =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), Ports.free());
  private PairingListener listener;

  @AfterEach
  void close() {
    if (listener != null) {
      listener.close();
    }
  }

  private PairingRequest request(boolean force) {
    return new PairingRequest(
        "r-" + random.nextInt(),
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 6694),
        "0123456789abcdef0123456789abcdef",
        List.of("10.99.0.1"),
        false,
        force);
  }

  private void open(Duration validity) throws Exception {
    listener =
        PairingListener.open(
            listen,
            token,
            validity,
            PairingListener.pairing(
                r -> {
                  received.add(r);
                  return r.force()
                      ? PairingAnswer.accepted("lb2")
                      : PairingAnswer.refused("it runs pacs; --force", "lb2", List.of("pacs"));
                }),
            "lbctl pair --accept");
  }

  private PairingAnswer send(PairingToken t, PairingRequest r) throws PairingException {
    return PairingClient.send(listen, t, r, Duration.ofSeconds(5));
  }

  @Test
  void theRightTokenCarriesTheRequestAndTheAnswerAndUsesTheOfferUp() throws Exception {
    open(Duration.ofMinutes(1));

    PairingAnswer refused = send(token, request(false));
    assertThat(refused.accepted()).isFalse();
    assertThat(refused.virtualServices()).containsExactly("pacs");
    assertThat(listener.isOpen()).as("a refusal leaves the offer open").isTrue();

    PairingRequest r = request(true);
    PairingAnswer accepted = send(token, r);
    assertThat(accepted.accepted()).isTrue();
    assertThat(accepted.hostname()).isEqualTo("lb2");
    assertThat(received).hasSize(2);
    assertThat(received.get(1)).isEqualTo(r);
    await().atMost(Duration.ofSeconds(5)).until(() -> !listener.isOpen());
    assertThatThrownBy(() -> send(token, request(true)))
        .isInstanceOf(PairingException.class)
        .hasMessageContaining("nothing listens for pairing");
  }

  @Test
  void aWrongTokenIsRefusedWithoutReachingTheNodeAndFiveCloseTheOffer() throws Exception {
    open(Duration.ofMinutes(1));
    PairingToken wrong = PairingToken.generate(random);

    for (int i = 0; i < PairingListener.MAX_FAILURES; i++) {
      assertThatThrownBy(() -> send(wrong, request(true)))
          .isInstanceOf(PairingException.class)
          .hasMessageContaining("wrong token");
    }
    assertThat(received).isEmpty();
    await().atMost(Duration.ofSeconds(5)).until(() -> !listener.isOpen());
    assertThatThrownBy(() -> send(token, request(true))).isInstanceOf(PairingException.class);
    assertThat(received).isEmpty();
  }

  @Test
  void anOfferClosesWhenItExpires() throws Exception {
    open(Duration.ofMillis(300));

    await().atMost(Duration.ofSeconds(5)).until(() -> !listener.isOpen());
    assertThatThrownBy(() -> send(token, request(true)))
        .isInstanceOf(PairingException.class)
        .hasMessageContaining("nothing listens");
  }
}
