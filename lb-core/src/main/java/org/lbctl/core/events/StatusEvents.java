package org.lbctl.core.events;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.lbctl.core.status.ClusterStatus;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.PairStatus;
import org.lbctl.core.status.RealServerStatus;
import org.lbctl.core.status.ServiceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the node's status five times a second and publishes what changed since the last look: a
 * real server's health ({@code health}) or admin state ({@code admin}), a virtual service's state
 * ({@code service}), the pair's role and its peer ({@code pair}), who holds each VIP group ({@code
 * group}), the configuration's version ({@code config}). One place that compares what the status
 * shows, rather than a hook in each part, so that no change is announced that the status does not
 * show, and none is missed.
 */
public final class StatusEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StatusEvents.class);
  static final long EVERY_MS = 200;

  private final Supplier<NodeStatus> status;
  private final EventHub hub;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          new io.netty.util.concurrent.DefaultThreadFactory("lb-events", true));
  private Map<String, String> last;

  public StatusEvents(Supplier<NodeStatus> status, EventHub hub) {
    this.status = status;
    this.hub = hub;
  }

  /** Takes the first look at once (what later ones compare with), then five a second. */
  public StatusEvents start() {
    look();
    timer.scheduleWithFixedDelay(this::look, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Compares now with the last look; publishes each difference. */
  void look() {
    try {
      Map<String, String> now = facts(status.get());
      Map<String, String> before = last;
      // Taken before publishing: a change is told once, whatever becomes of the telling.
      last = now;
      if (before != null) {
        for (Map.Entry<String, String> e : now.entrySet()) {
          String was = before.get(e.getKey());
          if (!Objects.equals(was, e.getValue())) {
            publish(e.getKey(), was, e.getValue());
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("events: cannot read the status: {}", e.toString());
    }
  }

  /** What the events tell, each under a key {@code type|subject}: its current value. */
  static Map<String, String> facts(NodeStatus s) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("config|", s.configVersion() + " " + s.configHash());
    for (ServiceStatus v : s.virtualServices()) {
      f.put("service|" + v.label(), v.state());
      for (RealServerStatus r : v.realServers()) {
        f.put("health|" + v.label() + "/" + r.label(), r.health());
        f.put("admin|" + v.label() + "/" + r.label(), r.adminState());
      }
    }
    PairStatus p = s.pair();
    if (p != null) {
      f.put(
          "pair|",
          p.role()
              + " "
              + p.state()
              + " peer "
              + (p.peer() == null ? "none" : p.peer().present() ? p.peer().state() : "absent"));
    }
    ClusterStatus c = s.cluster();
    if (c != null) {
      for (ClusterStatus.GroupHolder g : c.groups()) {
        f.put("group|" + g.group(), String.valueOf(g.holder()));
      }
    }
    return f;
  }

  private void publish(String key, String before, String now) {
    int bar = key.indexOf('|');
    String type = key.substring(0, bar);
    String subject = key.substring(bar + 1);
    Map<String, Object> data = new HashMap<>();
    if (!subject.isEmpty()) {
      int slash = subject.indexOf('/');
      if (type.equals("health") || type.equals("admin")) {
        data.put("virtualService", subject.substring(0, slash));
        data.put("realServer", subject.substring(slash + 1));
      } else if (type.equals("group")) {
        data.put("group", subject);
      } else {
        data.put("virtualService", subject);
      }
    }
    data.put("from", before);
    data.put("to", now);
    hub.publish(type, data);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
