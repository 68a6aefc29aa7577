package org.lbctl.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lbctl.core.config.PairRole.PRIMARY;
import static org.lbctl.core.config.PairRole.SECONDARY;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.ConfigVersion;

class SyncRulesTest {
  private static final ConfigVersion V1 = new ConfigVersion(1, "aaaa");
  private static final ConfigVersion V2 = new ConfigVersion(2, "bbbb");
  private static final ConfigVersion V2_OTHER = new ConfigVersion(2, "cccc");

  @Test
  void theHigherNumberIsTheCurrentVersionWhicheverNodeHoldsIt() {
    assertThat(SyncRules.compare(PRIMARY, V1, V1)).isEqualTo(Standing.IN_SYNC);
    assertThat(SyncRules.compare(PRIMARY, V2, V1)).isEqualTo(Standing.AHEAD);
    assertThat(SyncRules.compare(PRIMARY, V1, V2)).isEqualTo(Standing.BEHIND);
    assertThat(SyncRules.compare(SECONDARY, V2, V1)).as("promoted").isEqualTo(Standing.AHEAD);
  }

  @Test
  void editsOnBothSidesOfAPartitionResolveToThePrimarys() {
    assertThat(SyncRules.compare(PRIMARY, V2, V2_OTHER)).isEqualTo(Standing.AHEAD);
    assertThat(SyncRules.compare(SECONDARY, V2_OTHER, V2)).isEqualTo(Standing.BEHIND);
  }

  @Test
  void onlyTheEditingNodeNumbersAChangedFile() {
    assertThat(SyncRules.atStart(true, Optional.empty(), "aaaa")).isEqualTo(V1);
    assertThat(SyncRules.atStart(true, Optional.of(V1), "aaaa")).isEqualTo(V1);
    assertThat(SyncRules.atStart(true, Optional.of(V1), "bbbb")).isEqualTo(V2);
    assertThat(SyncRules.atStart(false, Optional.of(V1), "aaaa")).isEqualTo(V1);
    assertThat(SyncRules.atStart(false, Optional.of(V1), "bbbb"))
        .isEqualTo(new ConfigVersion(0, "bbbb"));
  }

  @Test
  void editsAreAcceptedOnOneNodeAtATime() {
    Optional<Standing> inSync = Optional.of(Standing.IN_SYNC);
    assertThat(SyncRules.editRefusal(PRIMARY, false, true, inSync, Optional.of(V1), "10.0.0.2"))
        .isEmpty();
    assertThat(
            SyncRules.editRefusal(PRIMARY, false, false, Optional.empty(), Optional.empty(), "x"))
        .isEmpty();
    assertThat(
            SyncRules.editRefusal(
                PRIMARY, false, true, Optional.of(Standing.BEHIND), Optional.of(V2), "x"))
        .get()
        .asString()
        .contains("the secondary holds configuration v2 (bbbb)");
    assertThat(SyncRules.editRefusal(SECONDARY, false, true, inSync, Optional.of(V1), "10.0.0.1"))
        .get()
        .asString()
        .startsWith("this node is the secondary: edit the configuration on the primary (10.0.0.1)")
        .contains("lbctl promote");
    assertThat(
            SyncRules.editRefusal(SECONDARY, false, false, Optional.empty(), Optional.empty(), "x"))
        .as("alone but not promoted")
        .isPresent();
    assertThat(
            SyncRules.editRefusal(SECONDARY, true, false, Optional.empty(), Optional.empty(), "x"))
        .isEmpty();
    assertThat(
            SyncRules.editRefusal(
                SECONDARY, true, true, Optional.of(Standing.AHEAD), Optional.of(V1), "10.0.0.1"))
        .get()
        .asString()
        .contains("the primary (10.0.0.1) is back");
  }
}
