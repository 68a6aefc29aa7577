package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VipGroup;

class GroupMoveTest {
  private static final List<String> MEMBERS = List.of("lb1", "lb2", "lb3");

  private static ReplicatedConfig config() throws Exception {
    return ConfigLoader.parse(
        """
        virtualServices:
          - {label: web, address: 10.99.0.101, ports: [80], realServers: [{label: rs1, address: 10.99.0.21, port: 8080}]}
          - {label: pacs, address: 10.99.0.102, ports: [104], realServers: [{label: rs1, address: 10.99.0.21, port: 11112}]}
        groups:
          - {name: portal, virtualServices: [web], preference: [lb1, lb2, lb3]}
          - {name: imaging, virtualServices: [pacs]}
        """);
  }

  @Test
  void theNodeGoesFirstInThePreferenceWithFailbackAndTheOtherGroupsStayAsTheyWere()
      throws Exception {
    ReplicatedConfig before = config();
    ReplicatedConfig moved = GroupMove.move(before, "portal", "lb3", MEMBERS);
    VipGroup portal = moved.groups().get(0);
    assertThat(portal.preference()).containsExactly("lb3", "lb1", "lb2");
    assertThat(portal.failback()).isTrue();
    assertThat(portal.virtualServices()).containsExactly("web");
    assertThat(moved.groups().get(1)).isEqualTo(before.groups().get(1));
    assertThat(moved.virtualServices()).isEqualTo(before.virtualServices());
    VipGroup imaging = GroupMove.move(before, "imaging", "lb2", MEMBERS).groups().get(1);
    assertThat(imaging.preference()).containsExactly("lb2");
  }

  @Test
  void anUnknownGroupOrNodeIsRefusedByName() {
    assertThatThrownBy(() -> GroupMove.move(config(), "lab", "lb3", MEMBERS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404))
        .hasMessage("no group 'lab' (groups: portal, imaging)");
    assertThatThrownBy(() -> GroupMove.move(config(), "portal", "lb9", MEMBERS))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessage("'lb9' is not a member of this cluster (lb1, lb2, lb3)");
  }
}
