package org.lbctl.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void aForgedLineStaysOnTheLineItWasSentIn() {
    String forged = "x\n2026-12-06T01:00:00Z INFO Authenticator - management: admin logged in\r";
    assertThat(LogText.name(forged)).doesNotContain("\n", "\r").startsWith("x\\n2026-12-06");
    assertThat(LogText.field("\u001b[2J\u001b[1;31mred\u0007"))
        .isEqualTo("\\u001b[2J\\u001b[1;31mred\\u0007");
    // Bidirectional overrides and the Unicode line separators are escaped too.
    assertThat(LogText.field("ab\u202ecd\u2028ef\u0085")).isEqualTo("ab\\u202ecd\\u2028ef\\u0085");
    assertThat(LogText.field("a\\nb")).isEqualTo("a\\\\nb");
    assertThat(LogText.field("Ümlaut µ 日本")).isEqualTo("Ümlaut µ 日本");
    assertThat(LogText.field(null)).isEqualTo("null");
  }

  @Test
  void longTextIsCutBeforeItIsKept() {
    String huge = "a".repeat(1_000_000);
    assertThat(LogText.name(huge)).hasSize(LogText.NAME + "…(1000000 characters)".length());
    assertThat(LogText.detail(huge)).startsWith("aaa").endsWith("…(1000000 characters)");
    // A surrogate pair is never cut in two.
    String pairs = "a" + "😀".repeat(40);
    assertThat(LogText.name(pairs)).startsWith("a" + "😀".repeat(31) + "…");
  }
}
