package org.lbctl.cluster.groups;

import java.util.List;
import org.lbctl.cluster.floating.Fence;
import org.lbctl.cluster.placement.GroupPlacement;

/** Controllers for tests that hold no addresses: unfenced, fixed rules, the view trusted. */
final class GroupControllers {
  private GroupControllers() {}

  static GroupController unfenced(
      String self, List<GroupPlacement.Rule> rules, List<String> configured, GroupHost host) {
    return new GroupController(
        self,
        () -> rules,
        configured,
        host,
        Fence.NONE,
        System::nanoTime,
        () -> GroupWord.About.NONE,
        CrashProbe.TRUST_THE_VIEW,
        NetworkWitness.NONE);
  }
}
