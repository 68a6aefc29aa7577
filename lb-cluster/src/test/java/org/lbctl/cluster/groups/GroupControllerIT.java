package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.members.ClusterMembership.Member;
import org.lbctl.cluster.placement.GroupPlacement.Rule;
import org.lbctl.core.testing.Ports;

/**
 * Three members on loopback move three VIP groups between them over real JGroups channels: each
 * group on its preferred live node, a leaving node's groups to the next, nothing without a quorum,
 * and never one group held by two members at once.
 */
class GroupControllerIT {
  static final List<Rule> RULES =
      List.of(
          new Rule("imaging", List.of("lb1", "lb2"), true),
          new Rule("portal", List.of("lb2", "lb3"), true),
          new Rule("hl7", List.of("lb3", "lb1"), true));

  /** Every take and release, in the order the members did them. */
  private final List<String> events = new CopyOnWriteArrayList<>();

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<Member> members = new ArrayList<>();

  private final class Node implements AutoCloseable {
    final GroupController controller;
    private final GroupMemberMain.Joined joined;

    Node(String name) throws Exception {
      joined =
          GroupMemberMain.join(
              name,
              members,
              new GroupHost() {
                @Override
                public void take(String group) {
                  events.add(name + " take " + group);
                }

                @Override
                public void release(String group) {
                  events.add(name + " release " + group);
                }
              });
      controller = joined.controller();
    }

    @Override
    public void close() {
      joined.close();
    }
  }

  @AfterEach
  void stop() {
    nodes.values().forEach(Node::close);
  }

  private Map<String, String> owners() {
    Map<String, String> out = new HashMap<>();
    nodes.forEach((name, n) -> n.controller.holding().forEach(g -> out.put(g, name)));
    return out;
  }

  /** Replays the events: no group is ever taken while another member holds it. */
  private void neverTwoHolders() {
    Map<String, String> holder = new HashMap<>();
    for (String e : events) {
      String[] p = e.split(" ");
      if (p[1].equals("take")) {
        assertThat(holder.get(p[2])).as("who held %s when %s took it", p[2], p[0]).isNull();
        holder.put(p[2], p[0]);
      } else {
        holder.remove(p[2], p[0]);
      }
    }
  }

  @Test
  void groupsFollowThePlacementRuleAsMembersLeaveAndStopWithoutAQuorum() throws Exception {
    for (int i = 1; i <= 3; i++) {
      members.add(new Member("lb" + i, new InetSocketAddress("127.0.0.1", Ports.free())));
    }
    for (Member m : members) {
      nodes.put(m.name(), new Node(m.name()));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> owners().equals(Map.of("imaging", "lb1", "portal", "lb2", "hl7", "lb3")));

    long left = System.nanoTime();
    nodes.remove("lb3").close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> owners().equals(Map.of("imaging", "lb1", "portal", "lb2", "hl7", "lb1")));
    System.out.println(
        "groups: hl7 on lb1 " + (System.nanoTime() - left) / 1_000_000 + " ms after lb3 left");

    // lb1 alone of three: no quorum, so it gives everything up.
    nodes.remove("lb2").close();
    await().atMost(Duration.ofSeconds(5)).until(() -> owners().isEmpty());
    assertThat(nodes.get("lb1").controller.holding()).isEmpty();
    neverTwoHolders();
  }

  @Test
  void aReturningPreferredNodeGetsItsGroupBackReleasedFirst() throws Exception {
    for (int i = 1; i <= 3; i++) {
      members.add(new Member("lb" + i, new InetSocketAddress("127.0.0.1", Ports.free())));
    }
    nodes.put("lb2", new Node("lb2"));
    nodes.put("lb3", new Node("lb3"));
    // lb1 is not there: imaging goes to lb2, its second choice.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> owners().equals(Map.of("imaging", "lb2", "portal", "lb2", "hl7", "lb3")));
    nodes.put("lb1", new Node("lb1"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> owners().equals(Map.of("imaging", "lb1", "portal", "lb2", "hl7", "lb3")));
    assertThat(events).containsSubsequence("lb2 release imaging", "lb1 take imaging");
    neverTwoHolders();
    assertThat(Set.copyOf(events)).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void aKilledMembersGroupIsTakenByTheNextWithinHalfASecond() throws Exception {
    for (int i = 1; i <= 3; i++) {
      members.add(new Member("lb" + i, new InetSocketAddress("127.0.0.1", Ports.free())));
    }
    nodes.put("lb1", new Node("lb1"));
    nodes.put("lb2", new Node("lb2"));
    List<String> argv =
        new ArrayList<>(
            List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                System.getProperty("java.class.path"),
                GroupMemberMain.class.getName(),
                "lb3"));
    members.forEach(m -> argv.add(m.name() + "=" + m.address().getPort()));
    java.nio.file.Path out = java.nio.file.Files.createTempFile("lb3", ".log");
    Process lb3 =
        new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  java.nio.file.Files.readString(out).contains("take hl7")
                      && owners().equals(Map.of("imaging", "lb1", "portal", "lb2")));
      long killed = System.nanoTime();
      lb3.destroyForcibly(); // SIGKILL: it releases nothing
      await().atMost(Duration.ofSeconds(5)).until(() -> "lb1".equals(owners().get("hl7")));
      long ms = (System.nanoTime() - killed) / 1_000_000;
      System.out.println("groups: hl7 on lb1 " + ms + " ms after kill -9 of lb3");
      assertThat(ms).isLessThan(1000);
    } finally {
      lb3.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      java.nio.file.Files.deleteIfExists(out);
    }
  }
}
