package org.lbctl.cluster.node;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.lbctl.cluster.pair.GroupPair;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.balancer.AdminState;
import org.lbctl.core.balancer.Backend;
import org.lbctl.core.config.Durations;
import org.lbctl.core.l4.L4DataPlane;
import org.lbctl.core.l4.L4Ruleset;
import org.lbctl.core.proxy.ProxyEngine;
import org.lbctl.core.service.VirtualServiceRuntime;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.StickTableStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the management API asks of a running node beyond its configuration, pairing and accounts:
 * real servers' admin state, stick tables, and promote and failover of its pair.
 */
final class Operations {
  private static final Logger log = LoggerFactory.getLogger(Operations.class);

  private final Supplier<Management> management;
  private final ProxyEngine engine;
  private final L4DataPlane kernel;
  private final Supplier<GroupPair> pair;
  private final Supplier<NodeStatus> status;

  /**
   * @param management the node's management side, once it has started
   * @param pair the node's pair, {@code null} while it runs alone
   * @param status the node's status, answered after a failover
   */
  Operations(
      Supplier<Management> management,
      ProxyEngine engine,
      L4DataPlane kernel,
      Supplier<GroupPair> pair,
      Supplier<NodeStatus> status) {
    this.management = management;
    this.engine = engine;
    this.kernel = kernel;
    this.pair = pair;
    this.status = status;
  }

  private VirtualServiceRuntime service(String vip) throws ApiException {
    return engine
        .service(vip)
        .orElseThrow(
            () ->
                new ApiException(
                    404,
                    "no virtual service '"
                        + vip
                        + "' (known: "
                        + String.join(", ", engine.services().keySet())
                        + ")"));
  }

  StickTableStatus stickTable(String vip) throws ApiException {
    VirtualServiceRuntime service = service(vip);
    var p = service.config().persistence();
    if (L4Ruleset.carries(service.config())) {
      // The kernel keeps layer 4 clients (this node's, while it is active).
      try {
        return new StickTableStatus(
            vip, p.mode().configName(), Durations.format(p.timeout()), kernel.stickyClients(vip));
      } catch (IOException e) {
        throw new ApiException(500, "cannot read the kernel's persistence map: " + e.getMessage());
      }
    }
    List<StickTableStatus.Entry> entries =
        engine.sticks().list(vip, System.currentTimeMillis()).entrySet().stream()
            .map(
                e ->
                    new StickTableStatus.Entry(
                        e.getKey(),
                        e.getValue().server(),
                        Instant.ofEpochMilli(e.getValue().expiresAtMillis()).toString()))
            .toList();
    return new StickTableStatus(vip, p.mode().configName(), Durations.format(p.timeout()), entries);
  }

  int clearStickTable(String vip) throws ApiException {
    if (L4Ruleset.carries(service(vip).config())) {
      try {
        // The replicated copy too, or a failover would bring the cleared clients back.
        engine.sticks().clear(vip);
        return kernel.clearStickyClients(vip);
      } catch (IOException e) {
        throw new ApiException(500, "cannot clear the kernel's persistence map: " + e.getMessage());
      }
    }
    return engine.sticks().clear(vip);
  }

  AdminState setAdminState(String vip, String rip, AdminState state) throws ApiException {
    VirtualServiceRuntime service = service(vip);
    Backend backend =
        service
            .backend(rip)
            .orElseThrow(
                () ->
                    new ApiException(
                        404,
                        "virtual service '"
                            + vip
                            + "' has no real server '"
                            + rip
                            + "' (known: "
                            + String.join(
                                ", ", service.backends().stream().map(Backend::label).toList())
                            + ")"));
    AdminState previous = backend.state().setAdminState(state);
    kernel.refresh();
    return previous;
  }

  void promote(boolean force) throws ApiException {
    GroupPair p = pair.get();
    if (p == null) {
      throw new ApiException(409, "this node runs alone: it accepts edits already");
    }
    try {
      p.promote(force);
    } catch (IllegalStateException e) {
      throw new ApiException(409, e.getMessage());
    } catch (Exception e) {
      throw new ApiException(500, "promote failed: " + e.getMessage());
    }
  }

  NodeStatus failover() throws ApiException {
    GroupPair p = pair.get();
    if (p == null) {
      throw new ApiException(409, "this node runs alone: it is not in a pair");
    }
    try {
      p.failover();
    } catch (IllegalStateException e) {
      throw new ApiException(409, e.getMessage());
    } catch (Exception e) {
      throw new ApiException(500, "failover failed: " + e.getMessage());
    }
    return status.get();
  }
}
