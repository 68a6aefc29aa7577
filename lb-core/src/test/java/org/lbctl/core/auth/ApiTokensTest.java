package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokensTest {
  @TempDir Path dir;

  @Test
  void aTokenVerifiesOnlyWithItsWholeSecretAndSurvivesAReopen() throws Exception {
    Path file = dir.resolve("tokens.json");
    ApiTokens tokens = ApiTokens.open(Optional.of(file));
    String text =
        tokens.create("admin", "backup script", false, Role.ADMIN, ApiTokens.DEFAULT_LIFETIME);
    assertThat(text).matches("lbctl_[0-9a-f]{8}_[A-Za-z0-9_-]{43}");
    assertThat(tokens.verify(text)).get().extracting(ApiTokens.Token::user).isEqualTo("admin");

    String last = text.substring(text.length() - 1);
    String tampered = text.substring(0, text.length() - 1) + (last.equals("A") ? "B" : "A");
    assertThat(tokens.verify(tampered)).isEmpty();
    assertThat(tokens.verify("lbctl_00000000_" + text.substring(15))).isEmpty();
    assertThat(tokens.verify("")).isEmpty();
    assertThat(tokens.verify(null)).isEmpty();

    assertThat(Files.readString(file)).doesNotContain(text.substring(15));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    ApiTokens reopened = ApiTokens.open(Optional.of(file));
    assertThat(reopened.verify(text)).isPresent();
    assertThat(reopened.list())
        .singleElement()
        .extracting(ApiTokens.Token::label)
        .isEqualTo("backup script");
  }

  @Test
  void aRevokedTokenIsRefusedAndABadLabelChangesNothing() throws Exception {
    Path file = dir.resolve("tokens.json");
    ApiTokens tokens = ApiTokens.open(Optional.of(file));
    String text =
        tokens.create("admin", "prometheus", true, Role.ADMIN, ApiTokens.DEFAULT_LIFETIME);
    assertThat(tokens.verify(text).orElseThrow().readOnly()).isTrue();
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(
            () -> tokens.create("admin", "../etc", false, Role.ADMIN, ApiTokens.DEFAULT_LIFETIME))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("label:");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);

    assertThat(tokens.revoke(text.substring(6, 14))).isTrue();
    assertThat(tokens.verify(text)).isEmpty();
    assertThat(tokens.revoke(text.substring(6, 14))).isFalse();
    assertThat(ApiTokens.open(Optional.of(file)).verify(text)).isEmpty();
  }

  @Test
  void aTokenExpiresAndALifetimeOutOfBoundsIsRefused() throws Exception {
    Path file = dir.resolve("tokens.json");
    ApiTokens tokens = ApiTokens.open(Optional.of(file));
    String shortLived =
        tokens.create("admin", "one off", false, Role.ADMIN, java.time.Duration.ofSeconds(1));
    assertThat(tokens.verify(shortLived)).isPresent();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .until(() -> tokens.verify(shortLived).isEmpty());
    String yearly = tokens.create("admin", "yearly", true, Role.ADMIN, ApiTokens.DEFAULT_LIFETIME);
    assertThat(java.time.Instant.parse(tokens.verify(yearly).orElseThrow().expires()))
        .isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(364)));
    byte[] before = Files.readAllBytes(file);
    for (java.time.Duration bad :
        java.util.List.of(
            java.time.Duration.ZERO,
            java.time.Duration.ofDays(-1),
            java.time.Duration.ofDays(5000))) {
      assertThatThrownBy(() -> tokens.create("admin", "bad", false, Role.ADMIN, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("expiresIn:");
    }
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }
}
