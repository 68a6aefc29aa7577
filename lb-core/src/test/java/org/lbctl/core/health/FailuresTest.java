package org.lbctl.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class FailuresTest {
  @Test
  void aResetWhileConnectingIsAReset() {
    // What epoll reports when the server resets the connection as it completes.
    assertThat(
            Failures.describe(
                new ConnectException(
                    "finishConnect(..) failed with error(-104): Connection reset by peer")))
        .isEqualTo("connection reset");
    assertThat(Failures.describe(new ConnectException("Connection refused: /127.0.0.1:9")))
        .isEqualTo("connection refused");
    assertThat(Failures.describe(new ConnectException("Network is unreachable")))
        .isEqualTo("Network is unreachable");
  }
}
