package org.lbctl.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VipGroupConfigTest {
  private static final String SERVICES =
      """
      floatingIps: [10.99.1.1/24, 10.99.2.1/24]
      virtualServices:
        - label: pacs
          address: 10.99.0.100
          ports: [104]
          realServers: [{label: a, address: 10.99.1.21}]
        - label: pacs-tls
          address: 10.99.0.100
          ports: [2762]
          realServers: [{label: a, address: 10.99.1.21}]
        - label: web
          address: 10.99.0.101
          ports: [443]
          realServers: [{label: w, address: 10.99.2.21}]
        - label: local
          address: 127.0.0.1
          ports: [8080]
          realServers: [{label: l, address: 10.99.2.22}]
      """;

  private static List<String> problems(String groups) {
    try {
      ConfigLoader.parse(SERVICES + groups);
      return List.of();
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
  }

  @Test
  void groupsReadAndWriteBackEqual() throws Exception {
    ReplicatedConfig config =
        ConfigLoader.parse(
            SERVICES
                + """
                groups:
                  - {name: imaging, virtualServices: [pacs, pacs-tls], floatingIps: [10.99.1.1/24],
                     preference: [lb1, lb2], failback: true}
                  - {name: portal, virtualServices: [web], floatingIps: [10.99.2.1]}
                """);
    assertThat(config.groups())
        .containsExactly(
            new VipGroup(
                "imaging",
                List.of("pacs", "pacs-tls"),
                List.of("10.99.1.1/24"),
                List.of("lb1", "lb2"),
                true),
            new VipGroup("portal", List.of("web"), List.of("10.99.2.1"), List.of(), false));
    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
  }

  @Test
  void withoutGroupsTheWrittenConfigurationHasNoGroupsSection() throws Exception {
    ReplicatedConfig pair = ConfigLoader.parse(SERVICES);
    assertThat(pair.groups()).isEmpty();
    assertThat(ConfigWriter.toYaml(pair)).doesNotContain("groups");
  }

  @Test
  void eachAmbiguityIsRefusedByItsPath() {
    assertThat(
            problems(
                """
                groups:
                  - {name: imaging, virtualServices: [pacs, nosuch], floatingIps: [10.99.1.1/24]}
                  - {name: portal, virtualServices: [web, pacs-tls, local],
                     floatingIps: [10.99.1.1/24, 10.99.2.1/24, 10.99.3.1], preference: [lb1, lb1, "a b"]}
                  - {name: imaging, virtualServices: [pacs]}
                """))
        .containsExactlyInAnyOrder(
            "groups[0].virtualServices[1]: 'nosuch' is not a virtual service here (known: [pacs,"
                + " pacs-tls, web, local])",
            "groups[1].virtualServices[1]: 'pacs-tls' shares its address 10.99.0.100 with a"
                + " service of group 'imaging': an address lives on one node, so they belong to"
                + " one group",
            "groups[1].virtualServices[2]: 'local' listens on 127.0.0.1, which never floats: it"
                + " serves on every node and belongs to no group",
            "groups[1].floatingIps[0]: 10.99.1.1/24 is already in group 'imaging'",
            "groups[1].floatingIps[2]: '10.99.3.1' is not in floatingIps [10.99.1.1/24,"
                + " 10.99.2.1/24]",
            "groups[1].preference[1]: 'lb1' is listed twice",
            "groups[1].preference[2]: 'a b' is not a valid node name",
            "groups[2].name: 'imaging' is used twice",
            "groups[2].virtualServices[0]: 'pacs' is already in group 'imaging'");
  }

  @Test
  void aFloatingAddressInNoGroupIsRefusedOnceGroupsExist() {
    assertThat(problems("groups: [{name: imaging, virtualServices: [pacs, pacs-tls]}]\n"))
        .containsExactlyInAnyOrder(
            "virtualServices[2]: 'web' (10.99.0.101) is in no group: with groups, every floating"
                + " address belongs to one",
            "floatingIps[0]: 10.99.1.1/24 is in no group: with groups, every floating address"
                + " belongs to one",
            "floatingIps[1]: 10.99.2.1/24 is in no group: with groups, every floating address"
                + " belongs to one");
  }

  @Test
  void anUnknownFieldInAGroupIsNamed() {
    assertThatThrownBy(
            () ->
                ConfigLoader.parse(
                    SERVICES + "groups: [{name: g, virtualServices: [pacs], owner: lb1}]\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("groups[0]")
        .hasMessageContaining("owner");
  }

  private static List<String> problemsOf(String yaml) {
    try {
      ConfigLoader.parse(yaml);
      return List.of();
    } catch (ConfigException e) {
      return e.problems().stream().map(ConfigProblem::toString).toList();
    }
  }

  private static final String V6 =
      """
      floatingIps: [fd99::1/64]
      virtualServices:
        - {label: a, address: "fd99:0:0::100", ports: [104],
           realServers: [{label: x, address: 10.99.1.21}]}
        - {label: b, address: "fd99::100", ports: [105],
           realServers: [{label: x, address: 10.99.1.21}]}
      """;

  @Test
  void anEmptyGroupNameIsRefused() {
    assertThat(
            problemsOf(
                V6 + "groups: [{name: '', virtualServices: [a, b], floatingIps: [fd99::1/64]}]\n"))
        .containsExactly("groups[0].name: is empty");
  }

  @Test
  void oneAddressSpelledTwoWaysIsStillOneAddress() {
    assertThat(
            problemsOf(
                V6
                    + """
                    groups:
                      - {name: one, virtualServices: [a], floatingIps: [fd99::1/64, fd99::1/64]}
                      - {name: other, virtualServices: [b]}
                    """))
        .containsExactly(
            "groups[1].virtualServices[0]: 'b' shares its address fd99::100 with a service of"
                + " group 'one': an address lives on one node, so they belong to one group");
  }

  @Test
  void membersReadAndWriteBackEqualAndGroupsPreferOnlyThem() throws Exception {
    ReplicatedConfig config =
        ConfigLoader.parse(
            SERVICES
                + """
                members:
                  - {name: lb1, address: 10.99.0.11}
                  - {name: lb2, address: "10.99.0.12:6700"}
                  - {name: lb3, address: "[fd00::13]:6694"}
                groups:
                  - {name: all, virtualServices: [pacs, pacs-tls, web],
                     floatingIps: [10.99.1.1/24, 10.99.2.1/24], preference: [lb2, lb1]}
                """);
    assertThat(config.members())
        .extracting(ClusterSettings.Member::name)
        .containsExactly("lb1", "lb2", "lb3");
    assertThat(config.members().get(1).address().getPort()).isEqualTo(6700);
    assertThat(ConfigLoader.parse(ConfigWriter.toYaml(config))).isEqualTo(config);
    assertThat(ConfigWriter.toYaml(ConfigLoader.parse(SERVICES))).doesNotContain("members");

    assertThat(
            problems(
                """
                members:
                  - {name: lb1, address: 10.99.0.11}
                  - {name: lb2, address: 10.99.0.12}
                  - {name: lb3, address: 10.99.0.13}
                groups:
                  - {name: all, virtualServices: [pacs, pacs-tls, web],
                     floatingIps: [10.99.1.1/24, 10.99.2.1/24], preference: [lb2, lb9]}
                """))
        .containsExactly("groups[0].preference[1]: 'lb9' is not among the members [lb1, lb2, lb3]");
  }

  @Test
  void aMemberListThatCannotFormAMajorityOrNamesOneTwiceIsRefusedByItsPath() {
    assertThat(
            problems(
                """
                members:
                  - {name: lb1, address: 10.99.0.11}
                  - {name: lb1, address: 10.99.0.12}
                  - {name: "a b", address: 10.99.0.13}
                  - {name: lb4, address: nowhere}
                  - {name: lb5, address: 10.99.0.11}
                groups:
                  - {name: all, virtualServices: [pacs, pacs-tls, web],
                     floatingIps: [10.99.1.1/24, 10.99.2.1/24]}
                """))
        .containsExactlyInAnyOrder(
            "members[1].name: 'lb1' is also members[0]",
            "members[2].name: 'a b' is not a member name (letters, digits, _ . -)",
            "members[3].address: 'nowhere' (expected an IP address with an optional :port)",
            "members[4].address: 10.99.0.11 is also members[0]'s address");
    assertThat(
            problems(
                """
                members: [{name: lb1, address: 10.99.0.11}, {name: lb2, address: 10.99.0.12}]
                groups:
                  - {name: all, virtualServices: [pacs, pacs-tls, web],
                     floatingIps: [10.99.1.1/24, 10.99.2.1/24]}
                """))
        .singleElement()
        .asString()
        .startsWith("members: 2 member(s) cannot form a majority that survives a failure");
  }
}
