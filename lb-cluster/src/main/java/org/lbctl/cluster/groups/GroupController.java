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
  private final int configured;
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

  public GroupController(
      String self, List<GroupPlacement.Rule> rules, int configured, GroupHost host) {
    this.self = self;
    this.rules = List.copyOf(rules);
    this.configured = configured;
    this.host = host;
  }

  /** Starts deciding; {@code broadcast} reaches every other member (reliable, in order). */
  public void start(Consumer<byte[]> broadcast) {
    worker.execute(() -> this.broadcast = broadcast);
    worker.scheduleWithFixedDelay(this::tell, REPEAT_MILLIS, REPEAT_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** A new view, from a JGroups thread. */
  public void onView(ClusterMembership.View view) {
    worker.execute(
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
    worker.execute(
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
          Set<String> groups = new LinkedHashSet<>();
          m.path("groups").forEach(g -> groups.add(g.asText()));
          held.put(from, groups);
          decide();
        });
  }

  private void decide() {
    Map<String, Set<String>> word = new HashMap<>(held);
    word.put(self, Set.copyOf(mine));
    boolean allSpoke = live.stream().allMatch(word::containsKey);
    GroupOwnership.Plan plan = GroupOwnership.plan(self, rules, configured, live, word);
    boolean changed = false;
    for (String g : plan.release()) {
      try {
        host.release(g);
      } catch (Exception e) {
        log.error("groups: releasing {} failed half-way: {}", g, e.getMessage());
      }
      mine.remove(g);
      changed = true;
      log.warn(
          "groups: {} released {} ({})",
          self,
          g,
          plan.owners().isEmpty()
              ? "no quorum: " + live.size() + " of " + configured + " members seen"
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
                  } catch (Exception e) {
                    log.error("groups: releasing {} on leaving: {}", g, e.getMessage());
                  }
                  mine.remove(g);
                }
                holding = Set.of();
                tell();
              })
          .get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("groups: leaving: {}", e.getMessage());
    }
    worker.shutdownNow();
  }
}
