package org.lbctl.cluster.groups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.lbctl.cluster.members.ClusterMembership;
import org.lbctl.cluster.placement.GroupOwnership;
import org.lbctl.cluster.placement.GroupPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves VIP groups on and off this node as the cluster's view and its members' word say. Every
 * member tells the others which groups it holds, on every change and every second; from the live
 * members and what they hold, {@link GroupOwnership} says what to take and what to release.
 *
 * <p>A member that has not yet said what it holds may hold anything: until every live member has
 * spoken, this node takes nothing (a joining node catches up before it may own anything). Every
 * step runs on one thread, in order.
 *
 * <p>Not yet here, and what the pair has: activation terms, the kernel lease and the stall check
 * that keep a frozen node from answering. Until they are, a group can be answered twice for as long
 * as a frozen holder takes to notice (docs/cluster.md).
 */
public final class GroupController implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GroupController.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String HELD_TYPE = "held";
  private static final long REPEAT_MILLIS = 1000;

  private final String self;
  private final List<GroupPlacement.Rule> rules;
  private final List<String> configured;
  private final GroupHost host;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-groups");
            t.setDaemon(true);
            return t;
          });
  // Worker thread only.
  private List<String> live = List.of();
  private final Map<String, Set<String>> held = new HashMap<>();
  private final Set<String> mine = new TreeSet<>();
  private Consumer<byte[]> broadcast = bytes -> {};
  private volatile Set<String> holding = Set.of();

  /**
   * @param configured the members the configuration names, this node among them
   * @throws IllegalArgumentException with fewer than three members: two cannot tell a dead member
   *     from a cut link by counting (a pair asks its ping targets instead)
   */
  public GroupController(
      String self, List<GroupPlacement.Rule> rules, List<String> configured, GroupHost host) {
    if (configured.size() < 3) {
      throw new IllegalArgumentException(
          "VIP groups need a cluster of three members or more (got "
              + configured
              + "): two cannot outvote a cut link, so a pair runs instead");
    }
    if (!configured.contains(self)) {
      throw new IllegalArgumentException(
          "this node ('" + self + "') is not among the members " + configured);
    }
    this.self = self;
    this.rules = List.copyOf(rules);
    this.configured = List.copyOf(configured);
    this.host = host;
  }

  /** Starts deciding; {@code broadcast} reaches every other member (reliable, in order). */
  public void start(Consumer<byte[]> broadcast) {
    worker.execute(() -> this.broadcast = broadcast);
    worker.scheduleWithFixedDelay(
        () -> {
          tell();
          decide(); // retries a release that failed
        },
        REPEAT_MILLIS,
        REPEAT_MILLIS,
        TimeUnit.MILLISECONDS);
  }

  /** A new view, from a JGroups thread. */
  public void onView(ClusterMembership.View view) {
    run(
        () -> {
          live = view.members();
          held.keySet().retainAll(live);
          // Whoever just joined must hear what this node holds before it may take anything.
          tell();
          decide();
        });
  }

  /** A member's message, from a JGroups thread. */
  public void onMessage(String from, byte[] bytes) {
    run(
        () -> {
          JsonNode m;
          try {
            m = JSON.readTree(bytes);
          } catch (java.io.IOException e) {
            log.warn("groups: ignoring a message from {}: {}", from, e.getMessage());
            return;
          }
          if (m == null || !HELD_TYPE.equals(m.path("type").asText())) {
            return;
          }
          JsonNode list = m.get("groups");
          if (list == null || !list.isArray()) {
            // Not "holds nothing": that would let the others take what it may hold.
            log.warn("groups: ignoring a 'held' message from {} without a list of groups", from);
            return;
          }
          Set<String> groups = new LinkedHashSet<>();
          list.forEach(g -> groups.add(g.asText()));
          held.put(from, groups);
          decide();
        });
  }

  /** Hands {@code step} to the worker; after close, nothing is decided any more. */
  private void run(Runnable step) {
    try {
      worker.execute(step);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("groups: closed; ignoring a late event");
    }
  }

  private void decide() {
    Map<String, Set<String>> word = new HashMap<>(held);
    word.put(self, Set.copyOf(mine));
    boolean allSpoke = live.stream().filter(configured::contains).allMatch(word::containsKey);
    GroupOwnership.Plan plan = GroupOwnership.plan(self, rules, configured, live, word);
    boolean changed = false;
    for (String g : plan.release()) {
      try {
        host.release(g);
      } catch (Exception e) {
        // Still held as far as anyone knows: the others must not take it. Tried again each second.
        log.error(
            "groups: {} cannot release {}: {}; it keeps saying it holds it and tries again",
            self,
            g,
            e.getMessage());
        continue;
      }
      mine.remove(g);
      changed = true;
      log.warn(
          "groups: {} released {} ({})",
          self,
          g,
          plan.owners().isEmpty()
              ? "no quorum: it sees " + live + " of the members " + configured
              : "it belongs on " + plan.owners().get(g));
    }
    if (allSpoke) {
      for (String g : plan.take()) {
        try {
          host.take(g);
          mine.add(g);
          changed = true;
          log.warn("groups: {} took {} (members {})", self, g, live);
        } catch (Exception e) {
          log.error("groups: {} cannot take {}: {}", self, g, e.getMessage());
        }
      }
    }
    if (changed) {
      holding = Set.copyOf(mine);
      tell();
    }
  }

  private void tell() {
    ObjectNode m = JSON.createObjectNode().put("type", HELD_TYPE);
    ArrayNode groups = m.putArray("groups");
    mine.forEach(groups::add);
    try {
      broadcast.accept(JSON.writeValueAsBytes(m));
    } catch (Exception e) {
      log.debug("groups: cannot tell the members: {}", e.getMessage());
    }
  }

  /** The groups this node holds now. */
  public Set<String> holding() {
    return holding;
  }

  /** Releases every group this node holds, then stops. */
  @Override
  public void close() {
    try {
      worker
          .submit(
              () -> {
                for (String g : List.copyOf(mine)) {
                  try {
                    host.release(g);
                    mine.remove(g);
                  } catch (Exception e) {
                    log.error(
                        "groups: {} cannot release {} on leaving: {}; remove its addresses with"
                            + " 'lbctl cleanup'",
                        self,
                        g,
                        e.getMessage());
                  }
                }
                holding = Set.copyOf(mine);
                tell();
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("groups: leaving: {}", e.getMessage());
    }
    worker.shutdownNow();
  }
}
