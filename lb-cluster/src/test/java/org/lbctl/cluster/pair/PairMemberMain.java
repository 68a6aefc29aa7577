package org.lbctl.cluster.pair;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;

/**
 * A pair member in its own JVM, so tests can kill, stop and continue a real process. Prints {@code
 * VIEW n} for every view. Arguments: role bindPort peerPort secretFile.
 */
public final class PairMemberMain {
  private PairMemberMain() {}

  public static void main(String[] args) throws Exception {
    PairSettings pair =
        new PairSettings(
            PairRole.valueOf(args[0].toUpperCase(java.util.Locale.ROOT)),
            new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1])),
            new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2])),
            Path.of(args[3]),
            List.of(),
            false,
            "lo");
    PairMembership.join(
        pair,
        PairSecret.load(pair.secretFile()),
        v -> {
          System.out.println("VIEW " + v.members().size());
          System.out.flush();
        });
    new CountDownLatch(1).await();
  }
}
