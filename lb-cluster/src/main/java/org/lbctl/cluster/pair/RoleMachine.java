package org.lbctl.cluster.pair;

import java.util.List;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.floating.FloatingIpOwner;
import org.lbctl.core.config.FloatingIp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries a role decision out on this node, in the order that never lets two nodes answer: taking
 * over opens the listeners, opens the fence, then adds and announces the addresses; giving up
 * silences the fence first, then stops serving and removes the addresses.
 */
final class RoleMachine {
  private static final Logger log = LoggerFactory.getLogger(RoleMachine.class);

  /** How long each step of a transition took, for the log. */
  record Took(long listenersMillis, long addressesMillis) {}

  private final ServingGate gate;
  private final FloatingIpOwner owner;
  private final Fence fence;

  RoleMachine(ServingGate gate, FloatingIpOwner owner, Fence fence) {
    this.gate = gate;
    this.owner = owner;
    this.fence = fence;
  }

  Took activate(List<FloatingIp> ips) throws Exception {
    long start = System.nanoTime();
    gate.setServing(true);
    long listeners = System.nanoTime();
    // The lease first: the announcements that follow must not be dropped by our own fence. (The
    // fence already guards these addresses: since the start, and after every change of them.)
    fence.renew(ips);
    owner.claim(ips);
    return new Took((listeners - start) / 1_000_000, (System.nanoTime() - listeners) / 1_000_000);
  }

  Took deactivate(List<FloatingIp> ips) throws Exception {
    long start = System.nanoTime();
    silence();
    gate.setServing(false);
    long listeners = System.nanoTime();
    owner.release(ips);
    return new Took((listeners - start) / 1_000_000, (System.nanoTime() - listeners) / 1_000_000);
  }

  /** Stops answering for the addresses at once, keeping them (and the listeners) in place. */
  void silence() {
    try {
      // Under the fence's lock: a renewal that checked before the role changed cannot reopen it.
      synchronized (fence) {
        fence.shut();
      }
    } catch (Exception e) {
      log.error("pair: cannot silence the fence: {}", e.getMessage());
    }
  }

  /** Answers for the addresses again (after a suspension the peer cleared). */
  void answer(List<FloatingIp> ips) throws Exception {
    fence.renew(ips);
  }

  /** After a failed takeover: back to silent and not serving. */
  void rollback(List<FloatingIp> ips) {
    try {
      silence();
      gate.setServing(false);
      owner.release(ips);
    } catch (Exception e) {
      log.error("pair: cleanup after a failed transition failed too: {}", e.getMessage());
    }
  }

  /** The addresses changed (a reload) while this node holds them. */
  void moved(List<FloatingIp> before, List<FloatingIp> now, boolean answering) throws Exception {
    fence.guard(now);
    if (answering) {
      fence.renew(now);
    }
    owner.release(before.stream().filter(ip -> !now.contains(ip)).toList());
    owner.claim(now.stream().filter(ip -> !before.contains(ip)).toList());
  }

  /** A merge: the other half may have announced the addresses meanwhile. */
  void reannounce(List<FloatingIp> ips) {
    owner.announce(ips);
  }

  Fence fence() {
    return fence;
  }

  void close() {
    owner.close();
  }
}
