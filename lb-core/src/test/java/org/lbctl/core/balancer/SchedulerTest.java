package org.lbctl.core.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.IpLiterals;
import org.lbctl.core.config.RealServer;
import org.lbctl.core.config.SchedulerKind;

class SchedulerTest {
  private static final InetAddress CLIENT = IpLiterals.parse("10.0.0.1");

  private static Backend backend(String label, int weight) {
    return backend(label, weight, 0, 0);
  }

  private static Backend backend(String label, int weight, int min, int max) {
    return new Backend(
        new RealServer(label, "10.1.0.1", 0, weight, min, max),
        IpLiterals.parse("10.1.0.1"),
        new RealServerState(label));
  }

  private static Map<String, Integer> distribution(
      Scheduler s, List<Backend> backends, int picks, boolean hold) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      Backend b = s.select(backends, CLIENT, Backend::available);
      counts.merge(b.label(), 1, Integer::sum);
      if (hold) {
        b.tryAcquire();
      }
    }
    return counts;
  }

  @Test
  void roundRobinFollowsWeightsAndInterleaves() {
    List<Backend> backends = List.of(backend("a", 50), backend("b", 25), backend("c", 25));
    Scheduler rr = Schedulers.create(SchedulerKind.WEIGHTED_ROUND_ROBIN);

    assertThat(distribution(rr, backends, 400, false))
        .containsEntry("a", 200)
        .containsEntry("b", 100)
        .containsEntry("c", 100);
    // Smooth: the heavy server never takes three turns in a row.
    List<String> first8 = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      first8.add(rr.select(backends, CLIENT, Backend::available).label());
    }
    assertThat(String.join("", first8)).doesNotContain("aaa");
  }

  @Test
  void weightZeroAndUnavailableServersGetNothing() {
    Backend zero = backend("zero", 0);
    Backend halted = backend("halted", 100);
    halted.state().setAdminState(AdminState.HALT);
    Backend draining = backend("draining", 100);
    draining.state().setAdminState(AdminState.DRAIN);
    Backend down = backend("down", 100);
    down.state().setHealthy(false);
    Backend ok = backend("ok", 1);
    List<Backend> backends = List.of(zero, halted, draining, down, ok);

    for (SchedulerKind kind : SchedulerKind.values()) {
      assertThat(distribution(Schedulers.create(kind), backends, 50, false))
          .as(kind.configName())
          .containsOnlyKeys("ok");
    }
  }

  @Test
  void leastConnectionBalancesUnevenLoadByWeight() {
    Backend a = backend("a", 100);
    Backend b = backend("b", 50);
    List<Backend> backends = List.of(a, b);
    // b already holds 10 long-lived connections.
    for (int i = 0; i < 10; i++) {
      b.tryAcquire();
    }
    Scheduler wlc = Schedulers.create(SchedulerKind.WEIGHTED_LEAST_CONNECTION);

    distribution(wlc, backends, 50, true);

    // 60 connections in all, weight 2:1 → 40 and 20.
    assertThat(a.state().activeConnections()).isEqualTo(40);
    assertThat(b.state().activeConnections()).isEqualTo(20);
  }

  @Test
  void leastConnectionSpreadsSequentialShortConnections() {
    List<Backend> backends = List.of(backend("a", 100), backend("b", 100));
    Map<String, Integer> counts =
        distribution(
            Schedulers.create(SchedulerKind.WEIGHTED_LEAST_CONNECTION), backends, 100, false);
    assertThat(counts).containsEntry("a", 50).containsEntry("b", 50);
  }

  @Test
  void firstSendsEverythingToTheLowestOrderedUsableServer() {
    Backend a = backend("a", 1);
    Backend b = backend("b", 100);
    Scheduler first = Schedulers.create(SchedulerKind.FIRST);
    assertThat(distribution(first, List.of(a, b), 20, false)).containsOnlyKeys("a");

    a.state().setAdminState(AdminState.HALT);
    assertThat(distribution(first, List.of(a, b), 20, false)).containsOnlyKeys("b");
  }

  @Test
  void sourceHashIsStableAndMovesOnlyTheRemovedServersClients() {
    List<Backend> three = List.of(backend("a", 100), backend("b", 100), backend("c", 100));
    Scheduler hash = Schedulers.create(SchedulerKind.SOURCE_HASH);
    Map<Integer, String> before = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      InetAddress client = IpLiterals.parse("10.2." + (i / 250) + "." + (i % 250));
      String label = hash.select(three, client, Backend::available).label();
      before.put(i, label);
      counts.merge(label, 1, Integer::sum);
      // The same client always gets the same answer, also from a new scheduler instance.
      assertThat(
              Schedulers.create(SchedulerKind.SOURCE_HASH)
                  .select(three, client, Backend::available)
                  .label())
          .isEqualTo(label);
    }
    counts.values().forEach(n -> assertThat(n.doubleValue()).isCloseTo(1000, within(150.0)));

    three.get(1).state().setAdminState(AdminState.HALT);
    for (int i = 0; i < 3000; i++) {
      InetAddress client = IpLiterals.parse("10.2." + (i / 250) + "." + (i % 250));
      String now = hash.select(three, client, Backend::available).label();
      if (!before.get(i).equals("b")) {
        assertThat(now).as("client %d kept its server", i).isEqualTo(before.get(i));
      } else {
        assertThat(now).isIn("a", "c");
      }
    }
  }

  @Test
  void sourceHashFollowsWeights() {
    List<Backend> backends = List.of(backend("a", 75), backend("b", 25));
    Scheduler hash = Schedulers.create(SchedulerKind.SOURCE_HASH);
    int a = 0;
    for (int i = 0; i < 4000; i++) {
      InetAddress client = IpLiterals.parse("10.3." + (i / 250) + "." + (i % 250));
      if (hash.select(backends, client, Backend::available).label().equals("a")) {
        a++;
      }
    }
    assertThat(a).isBetween(2800, 3200);
  }

  @Test
  void maxConnectionsCapsAndMinConnectionsIsTheResumeThreshold() {
    Backend b = backend("a", 100, 2, 4);
    for (int i = 0; i < 4; i++) {
      assertThat(b.tryAcquire()).isTrue();
    }
    assertThat(b.tryAcquire()).as("at max").isFalse();
    assertThat(b.hasCapacity()).isFalse();

    b.state().release(); // 3 active: below max but not below min
    assertThat(b.hasCapacity()).isFalse();
    assertThat(b.tryAcquire()).isFalse();

    b.state().release(); // 2 active
    assertThat(b.tryAcquire()).as("still not below min 2").isFalse();
    b.state().release(); // 1 active
    assertThat(b.tryAcquire()).as("below min: takes connections again").isTrue();
    assertThat(b.tryAcquire()).isTrue();
    assertThat(b.state().activeConnections()).isEqualTo(3);
  }

  @Test
  void selectionHonoursTheCallersFilter() {
    Backend a = backend("a", 100);
    Backend b = backend("b", 100);
    Predicate<Backend> notA = x -> x != a;
    for (SchedulerKind kind : SchedulerKind.values()) {
      assertThat(Schedulers.create(kind).select(List.of(a, b), CLIENT, notA)).isSameAs(b);
      assertThat(Schedulers.create(kind).select(List.of(a), CLIENT, notA)).isNull();
      assertThat(Schedulers.create(kind).select(List.of(), CLIENT, x -> true)).isNull();
    }
  }

  @Test
  void adminStateTransitionsAreRecorded() {
    RealServerState s = new RealServerState("a");
    assertThat(s.adminState()).isEqualTo(AdminState.ONLINE);
    assertThat(s.setAdminState(AdminState.DRAIN)).isEqualTo(AdminState.ONLINE);
    assertThat(s.setAdminState(AdminState.HALT)).isEqualTo(AdminState.DRAIN);
    assertThat(s.setAdminState(AdminState.ONLINE)).isEqualTo(AdminState.HALT);
    assertThat(AdminState.parse("drain")).contains(AdminState.DRAIN);
    assertThat(AdminState.parse("DRAIN")).isEmpty();
  }
}
