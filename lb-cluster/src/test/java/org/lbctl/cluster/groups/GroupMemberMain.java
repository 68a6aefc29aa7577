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

  /** A member's controller on its channel, the way a test or this main starts one. */
  record Joined(GroupController controller, ClusterMembership membership) implements AutoCloseable {
    @Override
    public void close() {
      controller.close();
      membership.close();
    }
  }

  /** Joins {@code members} as {@code self}, with {@link GroupControllerIT}'s groups. */
  static Joined join(String self, List<ClusterMembership.Member> members, GroupHost host)
      throws Exception {
    GroupController controller =
        GroupControllers.unfenced(
            self,
            GroupControllerIT.RULES,
            members.stream().map(ClusterMembership.Member::name).toList(),
            host);
    ClusterMembership m =
        ClusterMembership.join(
            self,
            members,
            new SecretKeySpec(new byte[32], "AES"),
            controller::onView,
            controller::onMessage);
    controller.start(m.broadcaster());
    return new Joined(controller, m);
  }

  public static void main(String[] args) throws Exception {
    List<ClusterMembership.Member> members = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String[] p = args[i].split("=");
      members.add(
          new ClusterMembership.Member(
              p[0], new InetSocketAddress("127.0.0.1", Integer.parseInt(p[1]))));
    }
    join(
        args[0],
        members,
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
    new CountDownLatch(1).await();
  }
}
