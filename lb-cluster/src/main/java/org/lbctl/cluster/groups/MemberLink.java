package org.lbctl.cluster.groups;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.crypto.SecretKey;
import org.lbctl.cluster.members.ClusterMembership;
import org.lbctl.cluster.pair.PairGuard;

/**
 * This node's link to the other members: the kernel guard, where strangers' datagrams to the
 * cluster port stop, and the sealed membership channel, where forged ones stop at the cipher; with
 * the view as it changes.
 */
final class MemberLink implements AutoCloseable {
  private final PairGuard guard;
  private volatile ClusterMembership membership;
  // Notified on every view: a breaking node waits for its peer to leave.
  private final Object viewChange = new Object();

  /** Installs the guard: from now on only the members' hosts reach the cluster port. */
  MemberLink(Roster roster) {
    this.guard = new PairGuard(roster.selfAddress(), roster.otherHosts());
    guard.install();
  }

  /** Joins the members' channel; views and messages arrive on JGroups threads. */
  void join(
      String self,
      Roster roster,
      SecretKey key,
      Consumer<ClusterMembership.View> onView,
      Consumer<String> onSuspect,
      BiConsumer<String, byte[]> onMessage)
      throws IOException {
    try {
      membership =
          ClusterMembership.join(
              self,
              roster.forMembership(),
              key,
              view -> {
                onView.accept(view);
                synchronized (viewChange) {
                  viewChange.notifyAll();
                }
              },
              onMessage);
    } catch (Exception e) {
      throw new IOException(e.getMessage(), e);
    }
    membership.onSuspect(onSuspect);
  }

  /** Sends to every member in the view, reliably and in order. */
  void broadcast(byte[] bytes) {
    membership.broadcaster().accept(bytes);
  }

  /** Sends to one member, also out of the view, unreliably. */
  void sendDirect(String member, byte[] bytes) {
    membership.sendDirect(member, bytes);
  }

  /** A member joined or left: the guard lets its host in (or not), discovery asks it. */
  void follow(Roster roster) {
    guard.allow(roster.otherHosts());
    ClusterMembership m = membership;
    if (m != null) {
      m.discoverAt(roster.forMembership());
    }
  }

  /** The members in this node's view now, this node among them. */
  List<String> inView() {
    ClusterMembership m = membership;
    return m == null ? List.of() : m.members();
  }

  /**
   * Waits (at most {@code wait}) for {@code member} to leave this node's view.
   *
   * @return whether it left
   */
  boolean awaitOutOfView(String member, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (viewChange) {
      while (inView().contains(member)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        viewChange.wait(Math.max(1, left / 1_000_000));
      }
    }
    return true;
  }

  /** Datagrams the guard dropped. */
  long dropped() {
    return guard.dropped();
  }

  /** Messages the cipher refused: from strangers, forged, replayed. */
  long[] refused() {
    ClusterMembership m = membership;
    return m == null ? new long[2] : m.refused();
  }

  @Override
  public void close() {
    ClusterMembership m = membership;
    if (m != null) {
      m.close();
    }
    guard.close();
  }
}
