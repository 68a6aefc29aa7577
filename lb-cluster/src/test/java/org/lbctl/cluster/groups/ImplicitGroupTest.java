package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VipGroup;

class ImplicitGroupTest {
  private static final String SERVICES =
      """
      floatingIps: [10.99.1.1/24]
      virtualServices:
        - {label: pacs, address: 10.99.0.100, ports: [104], realServers: [{label: a, address: 10.99.1.21}]}
        - {label: web, address: 10.99.0.101, ports: [443], realServers: [{label: w, address: 10.99.1.22}]}
        - {label: local, address: 127.0.0.1, ports: [8080], realServers: [{label: l, address: 10.99.1.23}]}
      """;

  @Test
  void twoMembersWithoutGroupsMoveEveryFloatingAddressAsOneGroup() throws Exception {
    ReplicatedConfig c = ImplicitGroup.apply(ConfigLoader.parse(SERVICES), List.of("lb1", "lb2"));
    assertThat(c.groups())
        .containsExactly(
            new VipGroup(
                "all",
                List.of("pacs", "web"),
                List.of("10.99.1.1/24"),
                List.of("lb1", "lb2"),
                false));
    assertThat(c.addresses(c.groups().get(0))).hasSize(3);
  }

  @Test
  void groupsOfItsOwnOrThreeMembersLeaveTheConfigurationAsItIs() throws Exception {
    ReplicatedConfig three = ConfigLoader.parse(SERVICES);
    assertThat(ImplicitGroup.apply(three, List.of("lb1", "lb2", "lb3"))).isSameAs(three);
    ReplicatedConfig grouped =
        ConfigLoader.parse(
            SERVICES
                + "groups: [{name: g, virtualServices: [pacs, web], floatingIps: [10.99.1.1/24]}]\n");
    assertThat(ImplicitGroup.apply(grouped, List.of("lb1", "lb2"))).isSameAs(grouped);
    ReplicatedConfig local =
        ConfigLoader.parse(
            "virtualServices: [{label: l, address: 127.0.0.1, ports: [8080],"
                + " realServers: [{label: a, address: 10.99.1.21}]}]\n");
    ReplicatedConfig applied = ImplicitGroup.apply(local, List.of("lb1", "lb2"));
    assertThat(applied.groups())
        .as("nothing floating: the group exists, empty, so one of two still holds it")
        .containsExactly(new VipGroup("all", List.of(), List.of(), List.of("lb1", "lb2"), false));
  }

  @Test
  void movingTheImplicitGroupWritesItOutWithTheNodeFirstAndFailbackOn() throws Exception {
    List<String> two = List.of("lb1", "lb2");
    ReplicatedConfig moved =
        GroupMove.move(ImplicitGroup.apply(ConfigLoader.parse(SERVICES), two), "all", "lb2", two);
    assertThat(moved.groups())
        .containsExactly(
            new VipGroup(
                "all",
                List.of("pacs", "web"),
                List.of("10.99.1.1/24"),
                List.of("lb2", "lb1"),
                true));
    // Written out, it reads back as the same explicit group.
    assertThat(ConfigLoader.parse(org.lbctl.core.config.ConfigWriter.toYaml(moved)).groups())
        .isEqualTo(moved.groups());
  }
}
