package org.lbctl.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.auth.AccountBook;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.Role;
import org.lbctl.core.auth.UserStore;
import org.lbctl.core.config.ConfigVersion;

/** Two members' account syncs, each member's broadcast delivered to the other. */
class AccountSyncTest {
  @TempDir Path dir;
  private AccountSync syncA;
  private AccountSync syncB;

  /** A member's accounts, as the node's {@code Accounts} hands them to the sync. */
  static final class Member implements AccountReplica {
    final AccountBook book;
    final AtomicInteger installs = new AtomicInteger();
    private volatile Runnable listener = () -> {};

    Member(AccountBook book) {
      this.book = book;
    }

    void addUser(String name) throws IOException {
      book.change(
          (users, tokens) -> {
            users.add(name, "a long password", Role.ADMIN);
            return null;
          });
      listener.run();
    }

    @Override
    public ConfigVersion version() {
      return book.version();
    }

    @Override
    public AccountBook.Snapshot snapshot() {
      return book.snapshot();
    }

    @Override
    public boolean install(ConfigVersion version, byte[] document, String from) throws IOException {
      boolean merged = book.install(version, document).merged();
      installs.incrementAndGet();
      return merged;
    }

    @Override
    public void onChange(Runnable listener) {
      this.listener = listener;
    }

    @Override
    public void unnumber() throws IOException {
      book.unnumber();
    }

    @Override
    public void claim() throws IOException {
      book.claim();
    }

    @Override
    public void release() throws IOException {
      book.release();
    }
  }

  private Member member(String name) throws IOException {
    Path home = Files.createDirectories(dir.resolve(name));
    return new Member(
        AccountBook.open(
            UserStore.open(Optional.of(home.resolve("users.json"))),
            ApiTokens.open(Optional.empty()),
            Optional.of(home.resolve("accounts-version.json"))));
  }

  private void connect(Member a, Member b) {
    AccountSync[] to = new AccountSync[2];
    syncA = new AccountSync(a, bytes -> to[1].onMessage("a", bytes), System::nanoTime);
    syncB = new AccountSync(b, bytes -> to[0].onMessage("b", bytes), System::nanoTime);
    to[0] = syncA;
    to[1] = syncB;
    syncA.start();
    syncB.start();
  }

  @AfterEach
  void close() {
    if (syncA != null) {
      syncA.close();
      syncB.close();
    }
  }

  @Test
  void aChangeOnEitherMemberReachesTheOtherAtOnce() throws Exception {
    Member a = member("a");
    Member b = member("b");
    connect(a, b);
    a.addUser("ward");
    await().atMost(Duration.ofMillis(500)).until(() -> b.book.users().names().contains("ward"));
    b.addUser("nurse");
    await().atMost(Duration.ofMillis(500)).until(() -> a.book.users().names().contains("nurse"));
    assertThat(a.version()).isEqualTo(b.version());
  }

  @Test
  void aMemberThatWasAwayIsSentTheNewerAccountsWhenItSaysItsVersion() throws Exception {
    Member a = member("a");
    Member b = member("b");
    a.addUser("ward");
    a.addUser("nurse");
    b.addUser("night");
    b.unnumber(); // b paired as a secondary: its own accounts give way
    connect(a, b);
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> b.book.users().names().equals(java.util.List.of("ward", "nurse")));
    assertThat(b.version()).isEqualTo(a.version());
    assertThat(a.installs).hasValue(0);
  }

  @Test
  void unnumberedAccountsAreNeverSentAndAForgedMessageChangesNothing() throws Exception {
    Member a = member("a");
    Member b = member("b");
    a.addUser("ward");
    a.unnumber();
    b.addUser("night");
    b.unnumber();
    connect(a, b);
    // Both say version 0 every second; a few rounds pass and neither takes the other's.
    byte[] forged =
        ("{\"type\":\"accounts\",\"version\":9,\"hash\":\""
                + "a".repeat(64)
                + "\",\"document\":\"e30=\"}")
            .getBytes(StandardCharsets.UTF_8);
    syncB.onMessage("a", forged);
    syncB.onMessage("a", "{\"type\":\"accounts\",\"version\":".getBytes(StandardCharsets.UTF_8));
    await()
        .during(Duration.ofMillis(2500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> a.installs.get() + b.installs.get() == 0);
    // Both gave up their own when they paired; hearing only 0 from the other, each may now make
    // its own again.
    assertThat(b.book.users().names()).isEmpty();
    assertThat(a.book.awaiting()).isFalse();
    assertThat(b.book.awaiting()).isFalse();
  }
}
