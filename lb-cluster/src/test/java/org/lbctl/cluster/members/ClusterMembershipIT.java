package org.lbctl.cluster.members;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.cluster.members.ClusterMembership.Member;
import org.lbctl.cluster.pair.PairSecret;
import org.lbctl.core.testing.Ports;

/** Three members on loopback, one of them a process of its own that the test kills. */
class ClusterMembershipIT {
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

  private static List<Member> members(int... ports) {
    List<Member> out = new ArrayList<>();
    for (int i = 0; i < ports.length; i++) {
      out.add(new Member("lb" + (i + 1), new InetSocketAddress("127.0.0.1", ports[i])));
    }
    return out;
  }

  private final Map<String, List<String>> heard = new ConcurrentHashMap<>();

  private ClusterMembership join(String self, List<Member> members, Path secret) throws Exception {
    ClusterMembership m =
        ClusterMembership.join(
            self,
            members,
            PairSecret.load(secret),
            v -> {},
            (from, bytes) ->
                heard
                    .computeIfAbsent(self, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(from + ": " + new String(bytes, StandardCharsets.UTF_8)));
    closeMe.add(m);
    return m;
  }

  private Process child(String self, Path secret, List<Member> members) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.net.preferIPv4Stack=true",
                "-cp",
                System.getProperty("java.class.path"),
                ClusterMemberMain.class.getName(),
                self,
                secret.toString()));
    members.forEach(m -> argv.add(m.name() + "=" + m.address().getPort()));
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(self + ".log").toFile())
            .start();
    children.add(p);
    return p;
  }

  @Test
  void threeMembersFormOneViewAndAKilledOneLeavesItWithinASecond() throws Exception {
    Path key = secret("cluster.secret", "5e8d2a9c1f4b7e3a6d0c9b8a7f6e5d4c");
    List<Member> members = members(Ports.free(), Ports.free(), Ports.free());
    ClusterMembership lb1 = join("lb1", members, key);
    ClusterMembership lb2 = join("lb2", members, key);
    Process lb3 = child("lb3", key, members);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> lb1.members().size() == 3 && lb2.members().size() == 3);
    assertThat(lb1.members()).containsExactlyInAnyOrder("lb1", "lb2", "lb3");

    lb1.send("held: imaging".getBytes(StandardCharsets.UTF_8));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> heard.getOrDefault("lb2", List.of()).contains("lb1: held: imaging"));

    // The failure detectors' suspicion reaches the caller before the view leaves lb3 out.
    List<String> suspected = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean inViewWhenSuspected =
        new java.util.concurrent.atomic.AtomicBoolean();
    lb1.onSuspect(
        member -> {
          inViewWhenSuspected.compareAndSet(false, lb1.members().contains(member));
          suspected.add(member);
        });
    long killed = System.nanoTime();
    lb3.destroyForcibly(); // SIGKILL
    await().atMost(Duration.ofSeconds(5)).until(() -> suspected.contains("lb3"));
    assertThat(inViewWhenSuspected).as("suspected while still in the view").isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> lb1.members().size() == 2);
    long ms = (System.nanoTime() - killed) / 1_000_000;
    System.out.println("cluster: kill -9 of lb3 noticed after " + ms + " ms");
    assertThat(ms).isLessThan(1000);
    await().atMost(Duration.ofSeconds(5)).until(() -> lb2.members().size() == 2);
  }

  @Test
  void aMemberWithAnotherSecretStaysOutside() throws Exception {
    List<Member> members = members(Ports.free(), Ports.free(), Ports.free());
    Path good = secret("good", "0123456789abcdef0123456789abcdef");
    ClusterMembership lb1 = join("lb1", members, good);
    ClusterMembership lb2 = join("lb2", members, good);
    ClusterMembership lb3 = join("lb3", members, secret("bad", "fedcba9876543210fedcba9876543210"));
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(
            () ->
                lb1.members().size() == 2
                    && lb2.members().size() == 2
                    && lb3.members().size() == 1);
    assertThat(lb1.refused()[0]).as("the stranger's datagrams, refused").isPositive();
  }

  @Test
  void aMemberListThisNodeCannotJoinIsRefusedWithWhatIsWrong() {
    javax.crypto.SecretKey key = new javax.crypto.spec.SecretKeySpec(new byte[32], "AES");
    List<Member> two = members(Ports.free(), Ports.free());
    assertThatThrownBy(() -> ClusterMembership.join("lb9", two, key, v -> {}, (f, b) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("this node ('lb9') is not among the members");
    List<Member> twice = new ArrayList<>(two);
    twice.add(new Member("lb1", new InetSocketAddress("127.0.0.1", Ports.free())));
    assertThatThrownBy(() -> ClusterMembership.join("lb1", twice, key, v -> {}, (f, b) -> {}))
        .hasMessage("member 'lb1' is listed twice");
    List<Member> shared = new ArrayList<>(two);
    shared.add(new Member("lb3", two.get(0).address()));
    assertThatThrownBy(() -> ClusterMembership.join("lb1", shared, key, v -> {}, (f, b) -> {}))
        .hasMessageContaining("is listed for two members ('lb1' and 'lb3')");
    List<Member> blank = new ArrayList<>(two);
    blank.add(new Member(" ", new InetSocketAddress("127.0.0.1", Ports.free())));
    assertThatThrownBy(() -> ClusterMembership.join("lb1", blank, key, v -> {}, (f, b) -> {}))
        .hasMessage("member name ' ' is not a name (letters, digits, _ . -)");
  }
}
