package org.lbctl.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

class IoUringProxyEngineIT extends AbstractProxyEngineIT {
  @Override
  Transport transport() {
    return Transport.IO_URING;
  }

  @Test
  void ioUringRunsOnThisKernel() {
    // The suite's machine has io_uring: a run that silently skipped it would test nothing here.
    assertThat(IoUring.isAvailable()).as("io_uring: %s", IoUring.unavailabilityCause()).isTrue();
  }
}
