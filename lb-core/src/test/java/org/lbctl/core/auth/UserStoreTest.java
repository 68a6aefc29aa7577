package org.lbctl.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserStoreTest {
  @TempDir Path dir;

  @Test
  void aPasswordHashIsSaltedSlowAndMatchesOnlyItsPassword() {
    String a = PasswordHash.of("correct horse battery");
    String b = PasswordHash.of("correct horse battery");
    assertThat(a).startsWith("pbkdf2-sha256$600000$").isNotEqualTo(b);
    assertThat(PasswordHash.matches("correct horse battery", a)).isTrue();
    assertThat(PasswordHash.matches("correct horse batterx", a)).isFalse();
    assertThat(PasswordHash.matches("correct horse battery", "plain")).isFalse();
    assertThat(PasswordHash.matches("x", "pbkdf2-sha256$1$not base64$!")).isFalse();
    assertThat(PasswordHash.generate()).hasSize(20).doesNotContain("l", "1", "O", "0");
  }

  @Test
  void usersAreKeptInAFileOnlyTheNodeCanReadAndSurviveAReopen() throws Exception {
    Path file = dir.resolve("users.json");
    UserStore s = UserStore.open(Optional.of(file));
    assertThat(s.names()).isEmpty();
    s.add("alice", "a long password");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).contains("alice", "pbkdf2-sha256$").doesNotContain("long");
    UserStore again = UserStore.open(Optional.of(file));
    assertThat(again.names()).containsExactly("alice");
    assertThat(again.verify("alice", "a long password")).isTrue();
    assertThat(again.verify("alice", "a long passwort")).isFalse();
    assertThat(again.verify("bob", "a long password")).isFalse();
  }

  @Test
  void badUsersAreRefusedNamingWhatIsWrongAndChangeNothing() throws Exception {
    Path file = dir.resolve("users.json");
    UserStore s = UserStore.open(Optional.of(file));
    s.add("alice", "a long password");
    String before = Files.readString(file);
    assertThatThrownBy(() -> s.add("alice", "another long one"))
        .hasMessage("name: user 'alice' exists already");
    assertThatThrownBy(() -> s.add("Bob!", "another long one"))
        .hasMessageStartingWith("name: 'Bob!' is not a user name");
    assertThatThrownBy(() -> s.add("bob", "short"))
        .hasMessage("password: at least 12 characters (or leave it out to get one)");
    assertThat(Files.readString(file)).isEqualTo(before);
    assertThat(s.names()).containsExactly("alice");
  }

  @Test
  void aNodeOnItsEmbeddedConfigurationKeepsUsersInMemory() throws Exception {
    UserStore s = UserStore.open(Optional.empty());
    s.add("alice", "a long password");
    assertThat(s.persistent()).isFalse();
    assertThat(s.verify("alice", "a long password")).isTrue();
  }

  @Test
  void aNameThatIsNoUserTakesAsLongToRefuseAsAWrongPassword() throws Exception {
    UserStore s = UserStore.open(Optional.empty());
    s.add("alice", "a long password");
    s.verify("nobody", "warm up the dummy hash");
    long known = 0;
    long unknown = 0;
    for (int i = 0; i < 3; i++) {
      long t = System.nanoTime();
      assertThat(s.verify("alice", "wrong password " + i)).isFalse();
      known += System.nanoTime() - t;
      t = System.nanoTime();
      assertThat(s.verify("nobody", "wrong password " + i)).isFalse();
      unknown += System.nanoTime() - t;
    }
    // Without the dummy hash an unknown name is answered ~10,000 times faster.
    assertThat(unknown).isGreaterThan(known / 3);
  }
}
