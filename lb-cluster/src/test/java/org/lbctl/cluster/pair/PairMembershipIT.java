package org.lbctl.cluster.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.testing.Ports;

/** The pair channel between real processes on loopback: joins, crashes, pauses, wrong secrets. */
class PairMembershipIT {
  @TempDir Path dir;
  private final List<AutoCloseable> closeMe = new ArrayList<>();
  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : children) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : closeMe) {
      c.close();
    }
  }

  private Path secret(String name, String value) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, value);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  private static PairSettings settings(PairRole role, int bind, int peer, Path secret) {
    return new PairSettings(
        role,
        new InetSocketAddress("127.0.0.1", bind),
        new InetSocketAddress("127.0.0.1", peer),
        secret,
        List.of(),
        false,
        "lo");
  }

  /** A member in this JVM whose views the test can watch. */
  private final class Member {
    final List<PairView> views = new CopyOnWriteArrayList<>();
    final PairMembership membership;

    Member(PairSettings s) throws Exception {
      membership = PairMembership.join(s, PairSecret.load(s.secretFile()), views::add);
      closeMe.add(membership);
    }

    int size() {
      PairView v = membership.view();
      return v == null ? 0 : v.members().size();
    }
  }

  private Process child(PairRole role, int bind, int peer, Path secret, Path log)
      throws IOException {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                System.getProperty("java.class.path"),
                PairMemberMain.class.getName(),
                role.configName(),
                Integer.toString(bind),
                Integer.toString(peer),
                secret.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    children.add(p);
    return p;
  }

  private static void signal(Process p, String sig) throws Exception {
    assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor())
        .isZero();
  }

  @Test
  void aKilledPeerIsNoticedWithinAFractionOfASecond() throws Exception {
    Path key = secret("pair.secret", "3f9a1c7e5b2d48a6c0e1f2a3b4c5d6e7");
    int a = Ports.free();
    int b = Ports.free();
    Member primary = new Member(settings(PairRole.PRIMARY, a, b, key));
    List<Long> detectMillis = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Process secondary = child(PairRole.SECONDARY, b, a, key, dir.resolve("s" + i + ".log"));
      await().atMost(Duration.ofSeconds(30)).until(() -> primary.size() == 2);

      long killed = System.nanoTime();
      secondary.destroyForcibly(); // SIGKILL
      await().atMost(Duration.ofSeconds(5)).until(() -> primary.size() == 1);
      detectMillis.add((System.nanoTime() - killed) / 1_000_000);
    }
    System.out.println("pair: kill -9 noticed after " + detectMillis + " ms");
    // Target 0.6 s; a loaded 2-core CI machine gets some slack.
    assertThat(detectMillis).allSatisfy(ms -> assertThat(ms).isLessThan(1000));
    assertThat(primary.views.get(primary.views.size() - 1).peerPresent()).isFalse();
  }

  @Test
  void aOneSecondPauseIsNoFailureButAFrozenPeerIsExcludedWithinThreeSeconds() throws Exception {
    Path key = secret("pair.secret", "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5");
    int a = Ports.free();
    int b = Ports.free();
    Member primary = new Member(settings(PairRole.PRIMARY, a, b, key));
    Process secondary = child(PairRole.SECONDARY, b, a, key, dir.resolve("s.log"));
    await().atMost(Duration.ofSeconds(30)).until(() -> primary.size() == 2);
    int viewsBefore = primary.views.size();

    // A 1 s stop, as a long GC pause would be: the pair must not notice.
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      signal(secondary, "STOP");
      timer.schedule(
          () -> {
            signal(secondary, "CONT");
            return null;
          },
          1,
          TimeUnit.SECONDS);
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(5))
          .until(() -> primary.size() == 2);
      assertThat(primary.views).hasSize(viewsBefore);
    } finally {
      timer.shutdownNow();
    }

    long frozen = System.nanoTime();
    signal(secondary, "STOP");
    await().atMost(Duration.ofSeconds(6)).until(() -> primary.size() == 1);
    long ms = (System.nanoTime() - frozen) / 1_000_000;
    System.out.println("pair: frozen peer excluded after " + ms + " ms");
    assertThat(ms).isLessThan(3500);
  }

  @Test
  void aNodeWithAnotherSecretCannotJoin() throws Exception {
    int a = Ports.free();
    int b = Ports.free();
    Member primary =
        new Member(
            settings(PairRole.PRIMARY, a, b, secret("good", "0123456789abcdef0123456789abcdef")));
    Member intruder =
        new Member(
            settings(PairRole.SECONDARY, b, a, secret("bad", "fedcba9876543210fedcba9876543210")));

    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(6))
        .until(() -> primary.size() == 1 && intruder.size() == 1);
    assertThat(primary.views).allSatisfy(v -> assertThat(v.members()).containsExactly("primary"));
  }

  @Test
  void aWeakOrExposedSecretIsRefusedWithItsReason() throws Exception {
    Path shortSecret = secret("short", "tooshort");
    assertThatThrownBy(() -> PairSecret.load(shortSecret))
        .hasMessageContaining("has 8 characters (expected at least 16)");

    Path exposed = secret("exposed", "0123456789abcdef0123456789abcdef");
    Files.setPosixFilePermissions(exposed, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> PairSecret.load(exposed)).hasMessageContaining("readable by everyone");
    // Anyone who may write it may put their own secret in.
    Files.setPosixFilePermissions(exposed, PosixFilePermissions.fromString("rw--w----"));
    assertThatThrownBy(() -> PairSecret.load(exposed)).hasMessageContaining("writable by others");

    assertThatThrownBy(() -> PairSecret.load(dir.resolve("missing")))
        .hasMessageContaining("does not exist");
  }
}
