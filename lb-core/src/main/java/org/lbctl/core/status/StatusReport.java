package org.lbctl.core.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.Layer;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.health.CheckResult;
import org.lbctl.core.service.ServiceCounters;
import org.lbctl.core.service.VirtualServiceRuntime;

/** Builds the status of the running virtual services from their live counters. */
public final class StatusReport {
  private StatusReport() {}

  /** What the latest check of a real server of a virtual service found, if any. */
  @FunctionalInterface
  public interface LastCheck {
    Optional<CheckResult> of(String virtualService, String server);

    LastCheck NONE = (vip, server) -> Optional.empty();
  }

  /** How long a real server's latest health check took. */
  public interface CheckTime {
    Optional<java.time.Duration> of(String virtualService, String server);

    CheckTime NONE = (vip, server) -> Optional.empty();
  }

  public static List<ServiceStatus> services(
      Iterable<VirtualServiceRuntime> runtimes, LastCheck checks) {
    return services(runtimes, checks, CheckTime.NONE);
  }

  public static List<ServiceStatus> services(
      Iterable<VirtualServiceRuntime> runtimes, LastCheck checks, CheckTime took) {
    List<ServiceStatus> list = new ArrayList<>();
    for (VirtualServiceRuntime r : runtimes) {
      list.add(service(r, checks, took));
    }
    return list;
  }

  public static ServiceStatus service(VirtualServiceRuntime r, LastCheck checks, CheckTime took) {
    VirtualService v = r.config();
    List<RealServerStatus> servers = new ArrayList<>();
    boolean anyAvailable = false;
    for (Backend b : r.backends()) {
      anyAvailable |= b.available();
      servers.add(
          new RealServerStatus(
              b.label(),
              b.config().address(),
              b.config().port(),
              b.weight(),
              b.state().adminState().configName(),
              b.state().healthy() ? "up" : "down",
              b.state().activeConnections(),
              b.state().totalConnections(),
              b.state().failedConnects(),
              b.state().bytesIn(),
              b.state().bytesOut(),
              checks.of(v.label(), b.label()).map(CheckResult::detail).orElse(null),
              took.of(v.label(), b.label()).map(d -> d.toNanos() / 1e6).orElse(null),
              b.state().hl7Acks()));
    }
    String state = anyAvailable ? "up" : v.fallback().isPresent() ? "fallback" : "down";
    ServiceCounters c = r.counters();
    return new ServiceStatus(
        v.label(),
        v.address(),
        v.ports(),
        v.layer().number(),
        v.layer() == Layer.L4 ? v.mode().configName() : "proxy",
        v.protocol().configName(),
        v.scheduler().configName(),
        v.persistence().mode().configName(),
        state,
        v.fallback().map(f -> f.address() + ":" + f.port()).orElse(null),
        c.activeConnections(),
        c.totalConnections(),
        c.queuedConnections(),
        c.fallbackConnections(),
        c.refusedConnections(),
        c.bytesIn(),
        c.bytesOut(),
        servers,
        v.protocol() == org.lbctl.core.config.Protocol.HTTP && v.layer() != Layer.L4
            ? httpRejected(c)
            : Map.of(),
        v.protocol() == org.lbctl.core.config.Protocol.DICOM ? associations(c) : Map.of(),
        v.protocol() == org.lbctl.core.config.Protocol.HL7_MLLP ? c.hl7().snapshot() : Map.of());
  }

  /** By outcome, in the order the outcomes are declared. */
  private static Map<String, Long> associations(ServiceCounters c) {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    c.associations().forEach((o, n) -> m.put(o.label(), n));
    m.putAll(c.associationLength().snapshot("duration_ms"));
    return m;
  }

  /** By reason, in the order the reasons are declared, for the status and the metrics. */
  private static Map<String, Long> httpRejected(ServiceCounters c) {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    c.rejected().forEach((r, n) -> m.put(r.label(), n));
    return m;
  }
}
