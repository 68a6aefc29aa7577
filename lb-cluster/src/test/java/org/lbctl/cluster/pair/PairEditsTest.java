package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;

class PairEditsTest {
  private static final ConfigVersion V2 = new ConfigVersion(2, "bbbb");
  private static final ConfigVersion V3 = new ConfigVersion(3, "cccc");
  private final PairEdits secondary = new PairEdits(PairRole.SECONDARY, "10.99.0.11");

  @Test
  void thePrimaryEditsAndTheSecondarySaysWhere() {
    PairEdits primary = new PairEdits(PairRole.PRIMARY, "10.99.0.12");
    assertThat(primary.refusal(true, V2, Optional.of(V2))).isEmpty();
    assertThat(secondary.refusal(true, V2, Optional.of(V2)))
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith(
                        "this node is the secondary: edit the configuration on"
                            + " the primary (10.99.0.11)"));
    assertThatThrownBy(() -> primary.promote(false, Optional.empty(), false))
        .hasMessage("this node is the primary; it accepts edits already");
  }

  @Test
  void aSecondaryIsPromotedOnlyWhileThePrimaryIsDownAndUntilItRunsTheSameVersion() {
    assertThatThrownBy(() -> secondary.promote(true, Optional.empty(), true))
        .hasMessageContaining("the primary (10.99.0.11) is in the pair");
    // Silent but not known gone: it may be behind a cut.
    assertThatThrownBy(() -> secondary.promote(false, Optional.of(4_000L), false))
        .hasMessageContaining("the primary went silent 4 s ago without leaving the pair")
        .hasMessageContaining("--force");
    assertThat(secondary.promoted()).isFalse();

    secondary.promote(false, Optional.empty(), false);
    assertThat(secondary.promoted()).isTrue();
    assertThat(secondary.refusal(false, V3, Optional.empty())).isEmpty();
    // The primary is back but still on v2: edits wait for it to take v3.
    secondary.settle(true, V3, Optional.of(V2));
    assertThat(secondary.promoted()).isTrue();
    assertThat(secondary.refusal(true, V3, Optional.of(V2)))
        .hasValueSatisfying(r -> assertThat(r).contains("is back"));
    secondary.settle(true, V3, Optional.of(V3));
    assertThat(secondary.promoted()).isFalse();
  }

  @Test
  void forcedAPromotionNeedsOnlyThePrimaryOutOfThePair() {
    secondary.promote(false, Optional.of(4_000L), true);
    assertThat(secondary.promoted()).isTrue();
  }

  @Test
  void theSyncTextSaysWhichWayAVersionGoes() {
    assertThat(PairSyncText.describe(false, V2, Optional.empty())).isEqualTo("no peer");
    assertThat(PairSyncText.describe(true, V2, Optional.empty()))
        .isEqualTo("waiting for the peer's version");
    assertThat(PairSyncText.describe(true, V2, Optional.of(V2))).isEqualTo("in sync");
    assertThat(PairSyncText.describe(true, V3, Optional.of(V2)))
        .isEqualTo("sending " + V3 + " to the peer");
    assertThat(PairSyncText.describe(true, V2, Optional.of(V3)))
        .isEqualTo("taking " + V3 + " from the peer");
  }

  @Test
  void aPairIsTwoMembersNamedByTheirRolesThePrimaryFirst() {
    InetSocketAddress here = new InetSocketAddress("10.99.0.12", 6694);
    InetSocketAddress there = new InetSocketAddress("10.99.0.11", 6694);
    PairSettings pair =
        new PairSettings(
            PairRole.SECONDARY,
            here,
            there,
            Path.of("/var/lib/lbctl/pair.secret"),
            List.of("10.99.0.1"),
            true,
            "eth1");
    ClusterSettings two = GroupPair.members(pair);
    assertThat(two.name()).isEqualTo("secondary");
    assertThat(two.members())
        .containsExactly(
            new ClusterSettings.Member("primary", there),
            new ClusterSettings.Member("secondary", here));
    assertThat(two.pingTargets()).containsExactly("10.99.0.1");
    assertThat(two.failback()).isTrue();
    assertThat(two.device()).isEqualTo("eth1");
    assertThat(two.secretFile()).isEqualTo(pair.secretFile());
  }
}
