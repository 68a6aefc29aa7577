package org.lbctl.cluster.groups;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javax.crypto.spec.SecretKeySpec;
import org.lbctl.cluster.members.ClusterMembership;

/**
 * A cluster member with a group controller in its own JVM, so a test can kill a real process.
 * Prints {@code take G} and {@code release G}. Arguments: self name=port... (the groups of {@link
 * GroupControllerIT}).
 */
public final class GroupMemberMain {
  private GroupMemberMain() {}

  public static void main(String[] args) throws Exception {
    List<ClusterMembership.Member> members = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] p = args[i].split("=");
      members.add(
          new ClusterMembership.Member(
              p[0], new InetSocketAddress("127.0.0.1", Integer.parseInt(p[1]))));
      names.add(p[0]);
    }
    GroupController controller =
        new GroupController(
            args[0],
            GroupControllerIT.RULES,
            names,
            new GroupHost() {
              @Override
              public void take(String group) {
                System.out.println("take " + group);
                System.out.flush();
              }

              @Override
              public void release(String group) {
                System.out.println("release " + group);
                System.out.flush();
              }
            });
    ClusterMembership m =
        ClusterMembership.join(
            args[0],
            members,
            new SecretKeySpec(new byte[32], "AES"),
            controller::onView,
            controller::onMessage);
    controller.start(
        bytes -> {
          try {
            m.send(bytes);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    new CountDownLatch(1).await();
  }
}
