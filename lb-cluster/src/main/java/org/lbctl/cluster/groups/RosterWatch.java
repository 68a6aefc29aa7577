package org.lbctl.cluster.groups;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the member list as members join and leave. Every part that names the members is told of a
 * new list (the kernel's guard, where the membership and the stick table look, what the controller
 * counts); a list without this node starts its leaving, once.
 */
final class RosterWatch {
  private static final Logger log = LoggerFactory.getLogger(RosterWatch.class);

  private final Runnable onRemoved;
  private final List<Consumer<Roster>> followers = new CopyOnWriteArrayList<>();
  private volatile Roster roster;
  private boolean removed;

  /**
   * @param onRemoved run on a thread of its own when a list no longer names this node
   */
  RosterWatch(Roster initial, Runnable onRemoved) {
    this.roster = initial;
    this.onRemoved = onRemoved;
  }

  Roster current() {
    return roster;
  }

  /**
   * {@code follower} hears the list now (it may have changed while the follower started) and every
   * list from now on.
   */
  synchronized void follow(Consumer<Roster> follower) {
    followers.add(follower);
    follower.accept(roster);
  }

  /** The configuration names {@code next}: tell the followers if it differs. */
  synchronized void changed(Roster next) {
    if (next.equals(roster)) {
      return;
    }
    if (!next.listsSelf()) {
      if (!removed) {
        removed = true;
        log.warn(
            "cluster: the configuration's members {} no longer include this node ('{}'): it"
                + " leaves the cluster, giving its groups up",
            next.names(),
            next.self());
        Thread t = new Thread(onRemoved, "lb-cluster-leave");
        t.setDaemon(true);
        t.start();
      }
      return;
    }
    if (!next.selfAddress().equals(roster.selfAddress())) {
      log.error(
          "cluster: the configuration gives this node ('{}') the address {}; it keeps {} until it"
              + " restarts",
          next.self(),
          next.selfAddress(),
          roster.selfAddress());
      return;
    }
    Roster before = roster;
    roster = next;
    followers.forEach(f -> f.accept(next));
    log.warn("cluster: the members are now {} (were {})", next.names(), before.names());
  }
}
