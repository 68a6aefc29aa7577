package org.lbctl.core.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManagementCertificateTest {
  @TempDir Path dir;

  @Test
  void aGeneratedCertificateNamesItsListenAddressAndIsKeptWhenTheAddressMoves() throws Exception {
    InetAddress first = InetAddress.getByName("127.0.0.1");
    Path[] files = ManagementCertificate.ensureGenerated(dir, first);
    assertThat(ManagementCertificate.names(files[0], first)).isTrue();
    InetAddress moved = InetAddress.getByName("127.0.0.2");
    assertThat(ManagementCertificate.names(files[0], moved)).isFalse();

    String pinned = ManagementCertificate.fingerprint(files[0]);
    ManagementCertificate.ensureGenerated(dir, moved);
    assertThat(ManagementCertificate.fingerprint(files[0]))
        .as("kept for its pins")
        .isEqualTo(pinned);
  }
}
