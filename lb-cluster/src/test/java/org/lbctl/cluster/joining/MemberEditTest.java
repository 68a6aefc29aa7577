package org.lbctl.cluster.joining;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.config.ClusterSettings.Member;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.ReplicatedConfig;

class MemberEditTest {
  private static final List<Member> THREE =
      List.of(
          member("lb1", "10.99.0.11"), member("lb2", "10.99.0.12"), member("lb3", "10.99.0.13"));

  private static Member member(String name, String ip) {
    return new Member(name, new InetSocketAddress(ip, 6694));
  }

  private static ReplicatedConfig config() throws Exception {
    return ConfigLoader.parse(
        """
        virtualServices:
          - {label: web, address: 10.99.0.101, ports: [80],
             realServers: [{label: a, address: 10.99.0.21}]}
        groups:
          - {name: g1, virtualServices: [web], preference: [lb4, lb1], failback: true}
        """);
  }

  @Test
  void aNewMemberIsAddedLastAndTheResultIsAValidConfiguration() throws Exception {
    ReplicatedConfig next = MemberEdit.add(config(), THREE, member("lb4", "10.99.0.14"));
    assertThat(next.members()).extracting(Member::name).containsExactly("lb1", "lb2", "lb3", "lb4");
    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(next))).isEqualTo(next);
  }

  @Test
  void aNameOrAnAddressAlreadyAMembersIsRefused() {
    assertThatThrownBy(() -> MemberEdit.add(config(), THREE, member("lb2", "10.99.0.14")))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("'lb2' is a member already (at 10.99.0.12:6694)");
    // Another port at the same IP: the stick table's port would clash.
    assertThatThrownBy(
            () ->
                MemberEdit.add(
                    config(), THREE, new Member("lb4", new InetSocketAddress("10.99.0.13", 7000))))
        .hasMessageContaining("10.99.0.13 is the address of member 'lb3' already");
  }

  @Test
  void aFullClusterTakesNoMore() {
    List<Member> full = new ArrayList<>();
    for (int i = 0; i < MemberEdit.MAX_MEMBERS; i++) {
      full.add(member("m" + i, "10.98." + (i / 200) + "." + (i % 200 + 1)));
    }
    assertThatThrownBy(() -> MemberEdit.add(config(), full, member("lb4", "10.99.0.14")))
        .hasMessageContaining("the cluster has 64 members, its most");
  }

  @Test
  void aRemovedMemberLeavesTheListAndEveryPreference() throws Exception {
    List<Member> four = new ArrayList<>(THREE);
    four.add(member("lb4", "10.99.0.14"));
    ReplicatedConfig next = MemberEdit.remove(config().withMembers(four), four, "lb4");
    assertThat(next.members()).extracting(Member::name).containsExactly("lb1", "lb2", "lb3");
    assertThat(next.groups().get(0).preference()).containsExactly("lb1");
    assertThat(next.groups().get(0).failback()).isTrue();
    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(next))).isEqualTo(next);
  }

  @Test
  void anUnknownMemberOrOneTooFewIsRefused() {
    assertThatThrownBy(() -> MemberEdit.remove(config(), THREE, "lb9"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessageContaining("'lb9' is not a member of this cluster (lb1, lb2, lb3)");
    assertThatThrownBy(() -> MemberEdit.remove(config(), THREE, "lb3"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(409))
        .hasMessageContaining("with one fewer no majority would survive a failure");
  }
}
