package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node file's cluster section: read whole, or refused with the field that is wrong. */
class ClusterSectionTest {
  @TempDir Path dir;

  private static final String THREE =
      """
        members:
          - {name: lb1, address: 10.99.0.11}
          - {name: lb2, address: 10.99.0.12}
          - {name: lb3, address: "10.99.0.13:6700"}
      """;

  private NodeConfig load(String cluster) throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(file, "configFile: lbctl.yaml\ncluster:\n" + cluster);
    return NodeConfigLoader.load(file);
  }

  private void refused(String cluster, String... problems) {
    assertThatThrownBy(() -> load(cluster))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactlyInAnyOrder(problems));
  }

  @Test
  void readsTheMembersWithTheDefaultPortAndThisNodesAddress() throws Exception {
    ClusterSettings c =
        load("  name: lb2\n  secretFile: cluster.secret\n  interface: ens3\n" + THREE)
            .cluster()
            .orElseThrow();
    assertThat(c.names()).containsExactly("lb1", "lb2", "lb3");
    assertThat(c.bind()).isEqualTo(new InetSocketAddress("10.99.0.12", 6694));
    assertThat(c.members().get(2).address()).isEqualTo(new InetSocketAddress("10.99.0.13", 6700));
    assertThat(c.secretFile()).isEqualTo(dir.resolve("cluster.secret"));
    assertThat(c.device()).isEqualTo("ens3");
    assertThat(c.fencing()).isEqualTo(Fencing.DEFAULT);
  }

  @Test
  void twoMembersWithoutPingTargetsCannotTellACutLinkAndAreRefused() {
    refused(
        """
          name: lb1
          secretFile: s
          members:
            - {name: lb1, address: 10.99.0.11}
            - {name: lb2, address: 10.99.0.12}
        """,
        "cluster.members: 2 member(s) cannot form a majority that survives a failure: a cluster"
            + " needs three or more (two need cluster.pingTargets, which break their tie as a"
            + " pair's do)");
    refused(
        """
          name: lb1
          secretFile: s
          pingTargets: [10.99.0.1, gateway]
          members:
            - {name: lb1, address: 10.99.0.11}
        """,
        "cluster.pingTargets[1]: '\"gateway\"' is not an IP address",
        "cluster.members: 1 member(s) cannot form a majority that survives a failure: a cluster"
            + " needs three or more");
  }

  @Test
  void twoMembersWithPingTargetsAreAPair() throws Exception {
    ClusterSettings c =
        load("""
                  name: lb2
                  secretFile: s
                  pingTargets: [10.99.0.1]
                  members:
                    - {name: lb1, address: 10.99.0.11}
                    - {name: lb2, address: 10.99.0.12}
                """)
            .cluster()
            .orElseThrow();
    assertThat(c.names()).containsExactly("lb1", "lb2");
    assertThat(c.pingTargets()).containsExactly("10.99.0.1");
  }

  @Test
  void namesAndAddressesListedTwiceAndAnAbsentSelfAreRefusedByPath() {
    refused(
        """
          name: lb9
          secretFile: s
          members:
            - {name: lb1, address: 10.99.0.11}
            - {name: lb1, address: 10.99.0.12}
            - {name: lb3, address: 10.99.0.11}
            - {name: "lb 4", address: nowhere}
        """,
        "cluster.members[1].name: 'lb1' is also cluster.members[0]",
        "cluster.members[2].address: 10.99.0.11 is also cluster.members[0]'s address",
        "cluster.members[3].name: 'lb 4' is not a member name (letters, digits, _ . -)",
        "cluster.members[3].address: 'nowhere' (expected an IP address with an optional :port)",
        "cluster.name: 'lb9' is not among cluster.members");
  }

  @Test
  void aNodeCannotBeOfAPairAndOfAClusterAtOnce() throws Exception {
    Path file = dir.resolve("node.yaml");
    Files.writeString(
        file,
        "configFile: lbctl.yaml\n"
            + "pair: {role: primary, bind: 10.99.0.11, peer: 10.99.0.12, secretFile: s}\n"
            + "cluster:\n  name: lb1\n  secretFile: s\n"
            + THREE);
    assertThatThrownBy(() -> NodeConfigLoader.load(file))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .map(ConfigProblem::toString)
                    .containsExactly(
                        "cluster: a node is either one of a pair or a member of a cluster: remove"
                            + " the pair section or the cluster section"));
  }

  @Test
  void moreThanSixtyFourMembersAreRefused() {
    StringBuilder members = new StringBuilder("  name: lb1\n  secretFile: s\n  members:\n");
    for (int i = 1; i <= 65; i++) {
      members
          .append("    - {name: lb")
          .append(i)
          .append(", address: 10.99.1.")
          .append(i)
          .append("}\n");
    }
    refused(members.toString(), "cluster.members: 65 members: a cluster has at most 64");
  }

  @Test
  void aBadFenceIsRefusedUnderTheClusterSection() {
    refused(
        "  name: lb1\n  secretFile: s\n  fencing: {lease: 1s, renew: 2s}\n" + THREE,
        "cluster.fencing.renew: 2s is not shorter than the lease (1s): the lease would lapse"
            + " between two renewals");
  }
}
