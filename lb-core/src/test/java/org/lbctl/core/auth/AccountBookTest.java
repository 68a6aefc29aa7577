package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.ConfigVersion;

class AccountBookTest {
  @TempDir Path dir;

  private AccountBook book(String node) throws Exception {
    Path home = Files.createDirectories(dir.resolve(node));
    return AccountBook.open(
        UserStore.open(Optional.of(home.resolve("users.json"))),
        ApiTokens.open(Optional.of(home.resolve("tokens.json"))),
        Optional.of(home.resolve("accounts-version.json")));
  }

  @Test
  void anotherNodeTakesTheDocumentWholeAndItsPasswordsAndTokensPassThere() throws Exception {
    AccountBook a = book("lb1");
    AccountBook b = book("lb2");
    assertThat(a.version().number()).isZero();
    a.users().add("ward", "a long password", Role.OPERATOR);
    String token = a.tokens().create("ward", "prometheus", true, Role.VIEWER, Duration.ofDays(30));
    ConfigVersion v = a.changed();
    assertThat(v.number()).isEqualTo(1);
    b.users().add("night", "another password", Role.ADMIN);
    String before = b.users().stamp("night").orElseThrow();

    AccountBook.Changes c = b.install(v, a.document());

    assertThat(c.added()).containsExactly("ward");
    assertThat(c.removed()).containsExactly("night");
    assertThat(b.version()).isEqualTo(a.version());
    assertThat(b.users().verify("ward", "a long password")).isTrue();
    assertThat(b.users().role("ward")).contains(Role.OPERATOR);
    assertThat(b.tokens().verify(token)).isPresent();
    assertThat(b.users().stamp("night")).isEmpty();
    assertThat(before).isNotEmpty();
    // Recorded: a restart keeps the accounts and their number.
    AccountBook again = book("lb2");
    assertThat(again.version()).isEqualTo(v);
    assertThat(again.users().verify("ward", "a long password")).isTrue();
  }

  @Test
  void aChangedPasswordEndsTheSessionsBoundToTheOldOne() throws Exception {
    AccountBook a = book("lb1");
    AccountBook b = book("lb2");
    a.users().add("ward", "a long password", Role.ADMIN);
    b.install(a.changed(), a.document());
    String stamp = b.users().stamp("ward").orElseThrow();
    a.users().setPassword("ward", "a new long password");
    b.install(a.changed(), a.document());
    assertThat(b.users().stamp("ward")).isPresent().isNotEqualTo(Optional.of(stamp));
    assertThat(b.users().verify("ward", "a long password")).isFalse();
  }

  @Test
  void aDocumentThatIsForgedMalformedOrUnnumberedIsRefusedAndNothingChanges() throws Exception {
    AccountBook a = book("lb1");
    AccountBook b = book("lb2");
    a.users().add("ward", "a long password", Role.ADMIN);
    ConfigVersion v = a.changed();
    b.users().add("night", "another password", Role.ADMIN);
    b.changed();
    ConfigVersion kept = b.version();

    byte[] forged =
        new String(a.document(), StandardCharsets.UTF_8)
            .replace("\"admin\"", "\"root\"")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> b.install(v, forged)).hasMessageContaining("does not match its hash");
    assertThatThrownBy(() -> b.install(new ConfigVersion(2, AccountBook.sha256(forged)), forged))
        .hasMessageContaining("'root' is not a role");
    byte[] orphan =
        ("{\"users\":[],\"tokens\":[{\"id\":\"0123abcd\",\"user\":\"ghost\",\"label\":\"x\","
                + "\"readOnly\":false,\"role\":\"admin\",\"created\":\"2026-01-01T00:00:00Z\","
                + "\"expires\":\"2027-01-01T00:00:00Z\",\"sha256\":\""
                + "0".repeat(64)
                + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> b.install(new ConfigVersion(3, AccountBook.sha256(orphan)), orphan))
        .hasMessageContaining("tokens.0123abcd.user: no such user");
    byte[] notJson = "{\"users\":[".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> b.install(new ConfigVersion(4, AccountBook.sha256(notJson)), notJson))
        .hasMessageContaining("not JSON");
    assertThatThrownBy(
            () -> b.install(new ConfigVersion(0, AccountBook.sha256(a.document())), a.document()))
        .hasMessageContaining("version 0");
    assertThat(b.version()).isEqualTo(kept);
    assertThat(b.users().names()).containsExactly("night");
  }

  @Test
  void aPairingSecondaryForgetsItsNumberAndAPrimaryClaimsAccountsNeverNumbered() throws Exception {
    AccountBook a = book("lb1");
    a.claim();
    assertThat(a.version().number()).as("nothing to claim").isZero();
    a.users().add("ward", "a long password", Role.ADMIN);
    a.claim();
    assertThat(a.version().number()).isEqualTo(1);
    a.changed();
    a.unnumber();
    assertThat(book("lb1").version().number()).isZero();
  }
}
