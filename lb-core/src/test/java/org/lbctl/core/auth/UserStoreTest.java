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
    s.add("alice", "a long password", Role.ADMIN);
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
  void aRoleIsKeptAndAUserFromBeforeRolesKeepsAllItCouldDo() throws Exception {
    Path file = dir.resolve("users.json");
    UserStore s = UserStore.open(Optional.of(file));
    s.add("ward", "a long password", Role.VIEWER);
    s.setRole("ward", Role.OPERATOR);
    assertThat(UserStore.open(Optional.of(file)).role("ward")).contains(Role.OPERATOR);
    s.setDisabled("ward", true);
    assertThat(s.role("ward")).as("a disabled user acts as nobody").isEmpty();
    // A file written before roles: its users were all-powerful and stay so.
    Files.writeString(
        file, Files.readString(file).replace("\"role\" : \"operator\"", "\"note\" : \"older\""));
    assertThat(Files.readString(file)).doesNotContain("role");
    s = UserStore.open(Optional.of(file));
    s.setDisabled("ward", false);
    assertThat(s.role("ward")).contains(Role.ADMIN);
  }

  @Test
  void badUsersAreRefusedNamingWhatIsWrongAndChangeNothing() throws Exception {
    Path file = dir.resolve("users.json");
    UserStore s = UserStore.open(Optional.of(file));
    s.add("alice", "a long password", Role.ADMIN);
    String before = Files.readString(file);
    assertThatThrownBy(() -> s.add("alice", "another long one", Role.ADMIN))
        .hasMessage("name: user 'alice' exists already");
    assertThatThrownBy(() -> s.add("Bob!", "another long one", Role.ADMIN))
        .hasMessageStartingWith("name: 'Bob!' is not a user name");
    assertThatThrownBy(() -> s.add("bob", "short", Role.ADMIN))
        .hasMessage("password: at least 12 characters (or leave it out to get one)");
    assertThat(Files.readString(file)).isEqualTo(before);
    assertThat(s.names()).containsExactly("alice");
  }

  @Test
  void aNodeOnItsEmbeddedConfigurationKeepsUsersInMemory() throws Exception {
    UserStore s = UserStore.open(Optional.empty());
    s.add("alice", "a long password", Role.ADMIN);
    assertThat(s.persistent()).isFalse();
    assertThat(s.verify("alice", "a long password")).isTrue();
  }

  @Test
  void aNameThatIsNoUserTakesAsLongToRefuseAsAWrongPassword() throws Exception {
    UserStore s = UserStore.open(Optional.empty());
    s.add("alice", "a long password", Role.ADMIN);
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
