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

  private static void add(AccountBook b, String name, Role role) throws Exception {
    b.change(
        (users, tokens) -> {
          users.add(name, "a long password of " + name, role);
          return null;
        });
  }

  @Test
  void anotherNodeTakesTheDocumentWholeAndItsPasswordsAndTokensPassThere() throws Exception {
    AccountBook a = book("lb1");
    AccountBook b = book("lb2");
    assertThat(a.version().number()).isZero();
    add(a, "ward", Role.OPERATOR);
    String token =
        a.change(
            (users, tokens) ->
                tokens.create("ward", "prometheus", true, Role.VIEWER, Duration.ofDays(30)));
    ConfigVersion v = a.version();
    assertThat(v.number()).isEqualTo(2);
    add(b, "night", Role.ADMIN);

    AccountBook.Changes c = b.install(v, a.document());

    assertThat(c.added()).containsExactly("ward");
    assertThat(c.removed()).containsExactly("night");
    assertThat(c.merged()).isFalse();
    assertThat(b.version()).isEqualTo(a.version());
    assertThat(b.users().verify("ward", "a long password of ward")).isTrue();
    assertThat(b.users().role("ward")).contains(Role.OPERATOR);
    assertThat(b.tokens().verify(token)).isPresent();
    assertThat(b.users().stamp("night")).isEmpty();
    // Recorded: a restart keeps the accounts and their number.
    AccountBook again = book("lb2");
    assertThat(again.version()).isEqualTo(v);
    assertThat(again.users().verify("ward", "a long password of ward")).isTrue();
  }

  @Test
  void aChangedPasswordEndsTheSessionsBoundToTheOldOne() throws Exception {
    AccountBook a = book("lb1");
    AccountBook b = book("lb2");
    add(a, "ward", Role.ADMIN);
    b.install(a.version(), a.document());
    String stamp = b.users().stamp("ward").orElseThrow();
    a.change(
        (users, tokens) -> {
          users.setPassword("ward", "a new long password");
          return null;
        });
    b.install(a.version(), a.document());
    assertThat(b.users().stamp("ward")).isPresent().isNotEqualTo(Optional.of(stamp));
    assertThat(b.users().verify("ward", "a long password of ward")).isFalse();
  }

  @Test
  void aRefusedChangeKeepsItsNumberAndNothingElseChanges() throws Exception {
    AccountBook a = book("lb1");
    add(a, "ward", Role.ADMIN);
    ConfigVersion before = a.version();
    assertThatThrownBy(() -> add(a, "ward", Role.ADMIN)).hasMessageContaining("exists already");
    assertThat(a.version()).isEqualTo(before);
    assertThat(book("lb1").version()).isEqualTo(before);
  }

  @Test
  void aDocumentThatIsForgedMalformedOrUnnumberedIsRefusedAndNothingChanges() throws Exception {
    AccountBook a = book("lb1");
    AccountBook b = book("lb2");
    add(a, "ward", Role.ADMIN);
    ConfigVersion v = a.version();
    add(b, "night", Role.ADMIN);
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
  void aPairingSecondaryGivesUpItsAccountsAndChangesNothingUntilThePrimarysCome() throws Exception {
    AccountBook primary = book("lb1");
    add(primary, "ward", Role.ADMIN);
    AccountBook secondary = book("lb2");
    add(secondary, "night", Role.ADMIN);

    secondary.unnumber();

    assertThat(secondary.users().names()).isEmpty();
    assertThat(secondary.version().number()).isZero();
    assertThatThrownBy(() -> add(secondary, "nurse", Role.VIEWER))
        .isInstanceOf(AccountBook.Awaiting.class);
    assertThat(book("lb2").awaiting()).as("across a restart").isTrue();
    secondary.install(primary.version(), primary.document());
    assertThat(secondary.users().names()).containsExactly("ward");
    add(secondary, "nurse", Role.VIEWER);
    assertThat(secondary.version().number()).isEqualTo(2);
  }

  @Test
  void accountsKeptPerNodeBeforeAnUpgradeAreMergedNotLost() throws Exception {
    // Two nodes with users of their own and no version file: what an upgrade starts from.
    for (String node : new String[] {"lb1", "lb2"}) {
      Path home = Files.createDirectories(dir.resolve(node));
      UserStore users = UserStore.open(Optional.of(home.resolve("users.json")));
      users.add("admin", "the same name on both", Role.ADMIN);
      users.add(node + "-ops", "a node's own operator", Role.OPERATOR);
    }
    AccountBook a = book("lb1");
    AccountBook b = book("lb2");
    assertThat(a.version().number()).isEqualTo(1);

    AccountBook.Changes c = b.install(a.version(), a.document());

    assertThat(c.merged()).isTrue();
    assertThat(b.users().names()).containsExactlyInAnyOrder("admin", "lb1-ops", "lb2-ops");
    assertThat(b.version().number()).isEqualTo(2);
    // Sent back, lb1 merges too: both hold all three, and later documents replace as usual.
    a.install(b.version(), b.document());
    assertThat(a.users().names()).containsExactlyInAnyOrder("admin", "lb1-ops", "lb2-ops");
    b.install(a.version(), a.document());
    assertThat(b.version()).isEqualTo(a.version());
  }
}
