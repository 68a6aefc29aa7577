package org.lbctl.cluster.groups;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each member last said it holds and runs, and what members that left the view may still
 * answer for. Used by the group controller's one thread only.
 */
final class MemberWords {
  private static final Logger log = LoggerFactory.getLogger(MemberWords.class);

  private final String self;
  private final MemberSilence silence;
  private final Map<String, Set<String>> held = new HashMap<>();
  private final Map<String, GroupWord.About> abouts = new HashMap<>();
  private final Map<String, Taken> stamps = new HashMap<>();
  // The groups each live member hands over (an operator's failover on it).
  private final Map<String, Set<String>> yielding = new HashMap<>();
  // Each member's epoch, and the epoch of this node it last echoed.
  private final Map<String, Long> epochs = new HashMap<>();
  private final Map<String, Long> echoes = new HashMap<>();
  private final Map<String, String> layoutRefused = new HashMap<>();
  // What members that left the view last said they held, until they surely answer for nothing.
  private final Map<String, Set<String>> gone = new TreeMap<>();
  private final Set<String> waitingFor = new TreeSet<>();

  MemberWords(String self, List<String> configured) {
    this.self = self;
    this.silence = new MemberSilence(self, configured);
  }

  /** The configured members changed: the majority counts {@code configured} from now on. */
  void members(List<String> configured) {
    silence.members(configured);
  }

  /**
   * A new view: the word of members that left it is kept until they surely answer for nothing.
   *
   * @return the members that left while heard: whether their processes are gone is to be asked
   */
  Set<String> view(List<String> members, long now) {
    for (String m : List.copyOf(held.keySet())) {
      if (!members.contains(m)) {
        gone.put(m, held.remove(m));
        yielding.remove(m);
      }
    }
    members.forEach(gone::remove);
    return silence.view(members, now);
  }

  /**
   * A member out of the view spoke to this node directly: it lives, and what it holds is not taken
   * while it does. Its word counts for nothing else until it speaks in the view again.
   */
  void heardOutOfView(String member, GroupWord word, long now) {
    silence.heard(member, now, word.leaseMillis() * 1_000_000L);
    gone.put(member, word.groups());
  }

  /** The answer of a probe of {@code member}'s process (see {@link MemberSilence#probed}). */
  void probed(String member, boolean processGone) {
    silence.probed(member, processGone);
  }

  /**
   * Takes a member's message in: a word from a member in the view counts; one from a configured
   * member out of the view only says it lives and keeps what it holds (its word may predate its
   * leaving: it must speak in the view again); a malformed or stale one, or another kind of
   * message, counts for nothing. A member in the view but no longer configured (it is leaving) is
   * still heard: what it holds is not taken until it says it let go or its silence proves it.
   *
   * @return whether a word of a member in the view was taken (the controller decides again)
   */
  boolean intake(
      String from, byte[] bytes, long arrived, List<String> live, List<String> configured) {
    Optional<GroupWord> word;
    try {
      word = GroupWord.decode(bytes);
    } catch (java.io.IOException e) {
      log.warn("groups: ignoring a message from {}: {}", from, e.getMessage());
      return false;
    }
    if (word.isEmpty() || stale(from, word.get(), arrived)) {
      return false;
    }
    if (!live.contains(from)) {
      if (configured.contains(from)) {
        heardOutOfView(from, word.get(), arrived);
      }
      return false;
    }
    heard(from, word.get(), arrived);
    return true;
  }

  /**
   * Whether {@code word} is older than the latest taken from {@code member} (the same word comes
   * twice, reliably and directly); a fresh one is noted as the latest.
   */
  boolean stale(String member, GroupWord word, long now) {
    Taken last = stamps.get(member);
    if (last != null && word.stamp().olderThan(last.stamp(), now - last.at())) {
      return true;
    }
    stamps.put(member, new Taken(word.stamp(), now));
    return false;
  }

  /** The latest stamp taken from a member, and when. */
  private record Taken(GroupWord.Stamp stamp, long at) {}

  void heard(String member, GroupWord word, long now) {
    held.put(member, word.groups());
    yielding.put(member, word.yielding());
    abouts.put(member, word.about());
    epochs.put(member, word.epoch());
    echoes.put(member, word.echo().getOrDefault(self, 0L));
    silence.heard(member, now, word.leaseMillis() * 1_000_000L);
  }

  /** This node was frozen: what it heard says nothing of now; every member must speak again. */
  void stalled(long now) {
    silence.stalled(now);
    held.clear();
    yielding.clear();
  }

  /** Until when a majority counts as heard (see {@link MemberSilence#majorityHeardUntil}). */
  long majorityHeardUntil() {
    return silence.majorityHeardUntil();
  }

  /** What the live members say they hold, with this node's own holdings. */
  Map<String, Set<String>> word(Set<String> mine) {
    Map<String, Set<String>> word = new HashMap<>(held);
    word.put(self, Set.copyOf(mine));
    return word;
  }

  /** The groups each live member hands over, with what this node hands over. */
  Map<String, Set<String>> yielding(Set<String> mine) {
    Map<String, Set<String>> out = new HashMap<>(yielding);
    out.put(self, Set.copyOf(mine));
    return out;
  }

  /**
   * Whether {@code member} has spoken since it joined the view, in answer to this node's {@code
   * epoch}, with this node's group layout.
   */
  boolean spoke(String member, String layout, long epoch) {
    return member.equals(self)
        || held.containsKey(member)
            && echoes.getOrDefault(member, -1L) == epoch
            && sameLayout(member, layout);
  }

  /** The epochs heard from the members, echoed in this node's words. */
  Map<String, Long> epochs() {
    return Map.copyOf(epochs);
  }

  /**
   * Two layouts would place groups differently, so nothing is taken while a member with another one
   * is live; logged once per layout.
   */
  private boolean sameLayout(String member, String mine) {
    String theirs = about(member).layout();
    if (mine.equals(theirs)) {
      if (layoutRefused.remove(member) != null) {
        log.warn("groups: {} runs the same group layout as {} again", member, self);
      }
      return true;
    }
    if (!theirs.equals(layoutRefused.put(member, theirs))) {
      log.error(
          "groups: {} runs another group layout ({}) than {} ({}): nothing is taken until both run"
              + " the same configuration; reload it on {}",
          member,
          theirs,
          self,
          mine,
          member);
    }
    return false;
  }

  /**
   * The groups that members out of the view may still answer for: their lease may run. A member
   * that surely answers for nothing any more is forgotten.
   */
  Set<String> stillAnswered(long now) {
    Set<String> blocked = new LinkedHashSet<>();
    for (String m : List.copyOf(gone.keySet())) {
      Set<String> groups = gone.get(m);
      if (silence.surelySilent(m, now)) {
        gone.remove(m);
        if (waitingFor.remove(m) || silence.crashed(m) && !groups.isEmpty()) {
          log.warn(
              "groups: {} {}; its groups {} may be taken",
              m,
              silence.crashed(m)
                  ? "left as a crashed process does"
                  : "stayed silent past its lease",
              groups);
        }
      } else {
        blocked.addAll(groups);
        if (!groups.isEmpty() && !silence.crashed(m) && waitingFor.add(m)) {
          log.warn(
              "groups: {} left the view after a silence and may still answer for {}: waiting {} ms"
                  + " from its last word for its lease to lapse",
              m,
              groups,
              silence.takeoverSilence(m) / 1_000_000);
        }
      }
    }
    return blocked;
  }

  /**
   * The earliest time at which a departed member's groups may be taken; {@code Long.MAX_VALUE} when
   * none waits.
   */
  long nextRelease() {
    long next = Long.MAX_VALUE;
    for (Map.Entry<String, Set<String>> e : gone.entrySet()) {
      if (!e.getValue().isEmpty()) {
        long at = silence.silentAt(e.getKey());
        if (next == Long.MAX_VALUE || at - next < 0) {
          next = at;
        }
      }
    }
    return next;
  }

  GroupWord.About about(String member) {
    return abouts.getOrDefault(member, GroupWord.About.NONE);
  }

  /** The groups {@code member} last said it holds, in the view or out of it. */
  Set<String> groupsOf(String member) {
    return held.getOrDefault(member, gone.getOrDefault(member, Set.of()));
  }

  boolean everHeard(String member) {
    return silence.everHeard(member);
  }

  long heardAgoMillis(String member, long now) {
    return silence.heardAgoMillis(member, now);
  }
}
