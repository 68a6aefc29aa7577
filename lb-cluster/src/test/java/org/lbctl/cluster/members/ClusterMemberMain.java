package org.lbctl.cluster.members;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.lbctl.cluster.pair.PairSecret;

/**
 * A cluster member in its own JVM, so a test can kill a real process. Prints {@code VIEW n} for
 * every view. Arguments: self secretFile name=port...
 */
public final class ClusterMemberMain {
  private ClusterMemberMain() {}

  public static void main(String[] args) throws Exception {
    List<ClusterMembership.Member> members = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      String[] p = args[i].split("=");
      members.add(
          new ClusterMembership.Member(
              p[0], new InetSocketAddress("127.0.0.1", Integer.parseInt(p[1]))));
    }
    ClusterMembership.join(
        args[0],
        members,
        PairSecret.load(Path.of(args[1])),
        v -> {
          System.out.println("VIEW " + v.members().size());
          System.out.flush();
        },
        (from, bytes) -> {});
    new CountDownLatch(1).await();
  }
}
