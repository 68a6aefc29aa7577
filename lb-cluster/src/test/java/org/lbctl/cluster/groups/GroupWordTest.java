package org.lbctl.cluster.groups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A member's word, written and read back; anything malformed is refused, never read as "none". */
class GroupWordTest {
  @Test
  void aWordReadsBackAsWritten() throws Exception {
    byte[] bytes =
        GroupWord.of(
            List.of("portal", "imaging"),
            1000,
            new GroupWord.About("0123abcd", 7, "f".repeat(64)),
            2,
            Map.of("lb2", 5L));
    GroupWord w = GroupWord.decode(bytes).orElseThrow();
    assertThat(w.groups()).containsExactlyInAnyOrder("portal", "imaging");
    assertThat(w.leaseMillis()).isEqualTo(1000);
    assertThat(w.about()).isEqualTo(new GroupWord.About("0123abcd", 7, "f".repeat(64)));
    assertThat(w.epoch()).isEqualTo(2);
    assertThat(w.echo()).containsEntry("lb2", 5L);
    assertThat(GroupWord.decode("{\"type\":\"config\"}".getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
  }

  @Test
  void aStampedWordReadsBackWithItsStampAndHandOvers() throws Exception {
    byte[] bytes =
        GroupWord.of(
            List.of("imaging"),
            1000,
            GroupWord.About.NONE,
            0,
            Map.of(),
            java.util.Set.of("imaging"),
            new GroupWord.Stamp(-42, 9));
    GroupWord w = GroupWord.decode(bytes).orElseThrow();
    assertThat(w.stamp()).isEqualTo(new GroupWord.Stamp(-42, 9));
    assertThat(w.yielding()).containsExactly("imaging");
    assertThat(w.stamp().olderThan(new GroupWord.Stamp(-42, 9), 0)).isTrue();
    assertThat(w.stamp().olderThan(new GroupWord.Stamp(-42, 8), 0)).isFalse();
    assertThat(w.stamp().olderThan(new GroupWord.Stamp(5, 100), 0)).as("a later run").isTrue();
    assertThat(w.stamp().olderThan(new GroupWord.Stamp(-50, 100), 0))
        .as("an earlier run")
        .isFalse();
  }

  @Test
  void aWordOfAnEarlierRunIsStaleJustAfterTheLaterRunSpokeButTakenLater() {
    GroupWord.Stamp old = new GroupWord.Stamp(1_000, 57);
    GroupWord.Stamp restarted = new GroupWord.Stamp(9_000, 1);
    assertThat(old.olderThan(restarted, 100_000_000L)).as("its last words, late").isTrue();
    assertThat(old.olderThan(restarted, GroupWord.Stamp.EARLIER_RUN_NANOS))
        .as("a wall clock stepped back across a restart")
        .isFalse();
    assertThat(GroupWord.Stamp.NONE.olderThan(restarted, 0)).as("unstamped").isFalse();
  }

  @Test
  void numbersThatOnlyWrapIntoRangeAndOtherBadFieldsAreRefused() {
    String base = "{\"type\":\"held\",\"groups\":[],";
    for (String bad :
        List.of(
            "\"leaseMs\":18446744073709552616}", // 2^64 + 1000: wraps to 1000 as a long
            "\"leaseMs\":\"1000\"}",
            "\"leaseMs\":60001}",
            "\"leaseMs\":1000,\"seq\":3}",
            "\"leaseMs\":1000,\"inc\":1,\"seq\":0}",
            "\"leaseMs\":1000,\"epoch\":18446744073709551617}",
            "\"leaseMs\":1000,\"version\":\"7\"}",
            "\"leaseMs\":1000,\"version\":-1}",
            "\"leaseMs\":1000,\"echo\":{\"lb1\":1.5}}",
            "\"leaseMs\":1000,\"layout\":\"" + "x".repeat(129) + "\"}")) {
      assertThatThrownBy(() -> GroupWord.decode((base + bad).getBytes(StandardCharsets.UTF_8)))
          .as(bad)
          .isInstanceOf(IOException.class);
    }
    assertThatThrownBy(
            () ->
                GroupWord.decode(
                    "{\"type\":\"held\",\"leaseMs\":1000}".getBytes(StandardCharsets.UTF_8)))
        .hasMessage("a 'held' message without a list of groups");
  }
}
