package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lbctl.cluster.placement.GroupPlacement.Rule;

class HandOversTest {
  private final HandOvers handOvers = new HandOvers();

  @Test
  void aHandOverWithoutFailbackEndsOnceAnotherMemberHoldsTheGroup() {
    List<Rule> rules = List.of(new Rule("all", List.of("primary", "secondary"), false));
    handOvers.start(
        "primary", Set.of("all"), List.of("primary", "secondary"), List.of("primary", "secondary"));
    handOvers.settle("primary", Set.of(), Map.of("secondary", Set.of()), rules);
    assertThat(handOvers.groups()).as("nobody holds it yet").containsExactly("all");
    handOvers.settle("primary", Set.of(), Map.of("secondary", Set.of("all")), rules);
    assertThat(handOvers.groups()).isEmpty();
  }

  @Test
  void aHandOverWithFailbackLastsWhileAnotherMemberHoldsTheGroupAndEndsWhenThisNodeTakesItBack() {
    List<Rule> rules = List.of(new Rule("all", List.of("primary", "secondary"), true));
    handOvers.start(
        "primary", Set.of("all"), List.of("primary", "secondary"), List.of("primary", "secondary"));
    handOvers.settle("primary", Set.of(), Map.of("secondary", Set.of("all")), rules);
    assertThat(handOvers.groups()).containsExactly("all");
    handOvers.settle("primary", Set.of("all"), Map.of(), rules);
    assertThat(handOvers.groups()).isEmpty();
  }

  @Test
  void aHandOverOfAGroupTheConfigurationNoLongerHasEnds() {
    handOvers.start(
        "primary",
        Set.of("gone"),
        List.of("primary", "secondary"),
        List.of("primary", "secondary"));
    handOvers.settle("primary", Set.of(), Map.of(), List.of());
    assertThat(handOvers.groups()).isEmpty();
  }
}
