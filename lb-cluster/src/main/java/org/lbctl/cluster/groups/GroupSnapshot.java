package org.lbctl.cluster.groups;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.lbctl.cluster.placement.Quorum;

/**
 * What this node sees of the cluster, for the status: whether it is in a quorum, what it holds, and
 * every configured member.
 */
public record GroupSnapshot(boolean quorum, Set<String> holding, List<MemberView> members) {
  static final GroupSnapshot NONE = new GroupSnapshot(false, Set.of(), List.of());

  public GroupSnapshot {
    holding = Set.copyOf(holding);
    members = List.copyOf(members);
  }

  /** One member as this node sees it. */
  public record MemberView(
      String name,
      boolean inView,
      long heardAgoMillis,
      Set<String> groups,
      GroupWord.About about,
      boolean sameLayout) {}

  static GroupSnapshot of(
      String self,
      List<String> configured,
      List<String> live,
      Set<String> mine,
      MemberWords words,
      GroupWord.About own,
      long now,
      boolean networkAnswers) {
    List<MemberView> members = new ArrayList<>();
    for (String m : configured) {
      boolean me = m.equals(self);
      GroupWord.About a = me ? own : words.about(m);
      members.add(
          new MemberView(
              m,
              live.contains(m),
              me ? 0 : words.heardAgoMillis(m, now),
              Set.copyOf(me ? mine : words.groupsOf(m)),
              a,
              me || a.layout().equals(own.layout())));
    }
    long seen = live.stream().filter(configured::contains).distinct().count();
    return new GroupSnapshot(
        Quorum.holds(configured.size(), (int) seen, networkAnswers), mine, members);
  }

  /** What the members in the view say they run, {@code self} excluded. */
  public java.util.Map<String, org.lbctl.core.config.ConfigVersion> versions(String self) {
    java.util.Map<String, org.lbctl.core.config.ConfigVersion> out = new java.util.TreeMap<>();
    for (MemberView m : members) {
      if (m.inView() && !m.name().equals(self) && !m.about().configHash().isEmpty()) {
        out.put(
            m.name(),
            new org.lbctl.core.config.ConfigVersion(
                m.about().configVersion(), m.about().configHash()));
      }
    }
    return out;
  }
}
