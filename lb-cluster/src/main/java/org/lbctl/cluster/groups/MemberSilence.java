package org.lbctl.cluster.groups;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lbctl.cluster.members.Detection;

/**
 * When the groups of a member that left the view may be taken, and whether this node still hears a
 * majority of the members (else it must stop renewing its lease: it may be the one cut off). Pure:
 * every method takes the time, so the rules run the same under a chosen clock in tests.
 *
 * <p>The rules are the same for every member (see {@link Detection}). A member dropped from the
 * view while it was being heard may have lost its process (a killed JVM closes FD_SOCK2's socket,
 * and the view drops it at once); when its host refuses a connection to its process, it did, and
 * its groups may be taken at once. Any other member out of the view may be frozen or cut off with
 * its lease still running: it stops renewing once it has not heard a majority for {@link
 * Detection#SELF_FENCE_NANOS}, so its groups wait until that, its lease and a margin have passed
 * since it was last heard.
 */
final class MemberSilence {
  /**
   * Slack on top of a silent member's lease before its groups are taken: the 200 ms between two of
   * its words (its last one may be that old when the others last heard it) and 300 ms for a renewal
   * under way when its majority went quiet.
   */
  static final long MARGIN_NANOS = 500_000_000L;

  private final String self;
  private List<String> configured;
  private final Map<String, Long> lastHeard = new HashMap<>();
  private final Map<String, Long> leaseNanos = new HashMap<>();
  private final Map<String, Long> droppedAt = new HashMap<>();
  // Dropped from the view while heard within the last second: perhaps a crash, to be confirmed.
  private final Set<String> suspected = new HashSet<>();
  // ... and their host refused a connection to their process: the process is gone.
  private final Set<String> crashed = new HashSet<>();
  private Set<String> inView = Set.of();
  // Silence counts from here after this node stalled: news from before says nothing of now.
  private long silenceFloor = Long.MIN_VALUE;

  MemberSilence(String self, List<String> configured) {
    this.self = self;
    this.configured = List.copyOf(configured);
  }

  /** The configured members changed (one joined or left). */
  void members(List<String> next) {
    configured = List.copyOf(next);
  }

  /** A member's word arrived; {@code lease} is how long its fence lease runs. */
  void heard(String member, long now, long lease) {
    lastHeard.put(member, now);
    leaseNanos.put(member, Math.max(0, lease));
  }

  /**
   * A new view: who left it, and whether each may have crashed.
   *
   * @return the members that left while heard within the last second: ask their hosts whether their
   *     processes are gone ({@link #probed})
   */
  Set<String> view(Collection<String> members, long now) {
    Set<String> next = Set.copyOf(members);
    Set<String> dropped = new HashSet<>();
    for (String m : inView) {
      if (!next.contains(m)) {
        droppedAt.put(m, now);
        Long heard = lastHeard.get(m);
        if (heard != null && now - heard < Detection.CRASH_VIEW_NANOS && afterFloor(heard)) {
          suspected.add(m);
          dropped.add(m);
        }
        crashed.remove(m);
      }
    }
    for (String m : next) {
      droppedAt.remove(m);
      suspected.remove(m);
      crashed.remove(m);
    }
    inView = next;
    return dropped;
  }

  /**
   * The probe's answer about a member dropped while it was heard: only a process known to be gone
   * makes its groups free at once. The view alone cannot tell: a member cut off from the view's
   * coordinator but not from this node is dropped the same way, its lease still running.
   */
  void probed(String member, boolean gone) {
    if (gone && suspected.contains(member)) {
      crashed.add(member);
    }
  }

  boolean everHeard(String member) {
    return lastHeard.containsKey(member);
  }

  /** Milliseconds since {@code member} was last heard; -1 if never. */
  long heardAgoMillis(String member, long now) {
    Long heard = lastHeard.get(member);
    return heard == null ? -1 : (now - heard) / 1_000_000;
  }

  /** This node was frozen: nothing heard before now says anything about now. */
  void stalled(long now) {
    silenceFloor = now;
  }

  /**
   * Whether {@code member}, out of the view, surely answers for nothing any more: its process is
   * gone, or it has been silent long enough for its lease to have lapsed.
   */
  boolean surelySilent(String member, long now) {
    if (inView.contains(member)) {
      return false;
    }
    Long heard = lastHeard.get(member);
    if (heard == null) {
      return true;
    }
    Long dropped = droppedAt.get(member);
    if (crashed.contains(member) && dropped != null && heard - dropped <= 0 && now - dropped >= 0) {
      return true;
    }
    return now - later(heard, silenceFloor) >= takeoverSilence(member);
  }

  /**
   * When {@code member}, out of the view, will surely answer for nothing any more (a time of the
   * same clock); what {@link #surelySilent} says from then on unless it is heard again.
   */
  long silentAt(String member) {
    Long heard = lastHeard.get(member);
    if (heard == null || inView.contains(member)) {
      return Long.MIN_VALUE;
    }
    long bySilence = later(heard, silenceFloor) + takeoverSilence(member);
    Long dropped = droppedAt.get(member);
    if (crashed.contains(member) && dropped != null && heard - dropped <= 0) {
      return bySilence - dropped <= 0 ? bySilence : dropped;
    }
    return bySilence;
  }

  /** How long {@code member} must have been silent before its groups may be taken. */
  long takeoverSilence(String member) {
    return Detection.SELF_FENCE_NANOS + leaseNanos.getOrDefault(member, 0L) + MARGIN_NANOS;
  }

  /** Whether the member's process is known to be gone (dropped while heard, its port refused). */
  boolean crashed(String member) {
    return crashed.contains(member);
  }

  /**
   * Until when this node hears a majority of the configured members, itself counted: the time at
   * which the majority's latest words turn older than {@link Detection#SELF_FENCE_NANOS}; {@code
   * Long.MIN_VALUE} when it does not.
   */
  long majorityHeardUntil() {
    int needed = configured.size() / 2 + 1 - 1; // a strict majority, this node being one
    if (needed <= 0) {
      return Long.MAX_VALUE;
    }
    List<Long> times =
        configured.stream()
            .filter(m -> !m.equals(self))
            .map(lastHeard::get)
            .filter(t -> t != null && afterFloor(t))
            .sorted((a, b) -> Long.signum(b - a)) // latest first, by difference
            .toList();
    if (times.size() < needed) {
      return Long.MIN_VALUE;
    }
    return times.get(needed - 1) + Detection.SELF_FENCE_NANOS;
  }

  /** The later of a time and the floor; times are compared by difference (the clock may wrap). */
  private long later(long heard, long floor) {
    return floor == Long.MIN_VALUE || heard - floor >= 0 ? heard : floor;
  }

  /** Whether {@code t} is after this node's last freeze (always, before the first). */
  private boolean afterFloor(long t) {
    return silenceFloor == Long.MIN_VALUE || t - silenceFloor > 0;
  }
}
