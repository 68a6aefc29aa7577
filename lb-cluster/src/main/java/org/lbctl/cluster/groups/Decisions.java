package org.lbctl.cluster.groups;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.lbctl.cluster.placement.GroupOwnership;
import org.lbctl.cluster.placement.GroupPlacement;

/**
 * One decision of the group controller: what to release and what to take, from the view, the
 * members' words and the placement. It releases what belongs elsewhere (or nowhere, or everything
 * outside a quorum) and takes what is placed here once every live member has spoken and no departed
 * member may still answer for it.
 */
final class Decisions {
  private final String self;
  private final Holdings held;
  private final MemberWords words;
  private final Hearing hearing;
  private final Supplier<GroupWord.About> about;
  private final Supplier<List<GroupPlacement.Rule>> rules;

  Decisions(
      String self,
      Holdings held,
      MemberWords words,
      Hearing hearing,
      Supplier<GroupWord.About> about,
      Supplier<List<GroupPlacement.Rule>> rules) {
    this.self = self;
    this.held = held;
    this.words = words;
    this.hearing = hearing;
    this.about = about;
    this.rules = rules;
  }

  /** The placement rules of the running configuration. */
  List<GroupPlacement.Rule> rules() {
    return rules.get();
  }

  /**
   * @param epoch this node's epoch: a live member's word counts once it echoes it
   * @param sinceStart how long this node's controller has run
   * @param yielding the groups this node hands over to the others
   * @return whether what this node holds changed
   */
  boolean decide(
      long now,
      List<String> configured,
      List<String> live,
      long epoch,
      long sinceStart,
      Set<String> yielding) {
    Set<String> mine = held.mine();
    Map<String, Set<String>> word = words.word(mine);
    String layout = about.get().layout();
    boolean allSpoke =
        live.stream().filter(configured::contains).allMatch(m -> words.spoke(m, layout, epoch))
            && !hearing.peerUnknown(self, configured, words, sinceStart);
    List<GroupPlacement.Rule> current = rules.get();
    GroupOwnership.Plan plan =
        GroupOwnership.plan(
            self,
            current,
            configured,
            live,
            word,
            words.yielding(yielding),
            hearing.networkAnswers(now));
    boolean changed = false;
    Set<String> release = new LinkedHashSet<>(plan.release());
    // A group the configuration no longer has belongs nowhere.
    mine.stream()
        .filter(g -> current.stream().noneMatch(r -> r.group().equals(g)))
        .forEach(release::add);
    for (String g : release) {
      changed |=
          held.release(
              g,
              plan.owners().isEmpty()
                  ? "no quorum: it sees " + live + " of the members " + configured
                  : plan.owners().containsKey(g)
                      ? "it belongs on " + plan.owners().get(g)
                      : "the configuration no longer has it");
    }
    if (allSpoke) {
      Set<String> blocked = words.stillAnswered(now);
      for (String g : plan.take()) {
        if (!blocked.contains(g)) {
          changed |= held.take(g, live);
        }
      }
    }
    return changed;
  }
}
