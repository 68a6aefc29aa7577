package org.lbctl.cluster.groups;

import java.util.function.Supplier;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ReplicatedConfig;

/**
 * The running configuration as this member's groups read it: a two-member cluster's configuration
 * without groups gains its implicit group ({@link ImplicitGroup}), and what this member tells the
 * others it runs.
 */
final class MemberConfig implements Supplier<ReplicatedConfig> {
  private final ClusterSettings settings;
  private final Supplier<ReplicatedConfig> running;
  private final Supplier<ConfigVersion> version;

  MemberConfig(
      ClusterSettings settings,
      Supplier<ReplicatedConfig> running,
      Supplier<ConfigVersion> version) {
    this.settings = settings;
    this.running = running;
    this.version = version;
  }

  @Override
  public ReplicatedConfig get() {
    ReplicatedConfig c = running.get();
    return ImplicitGroup.apply(c, Roster.of(settings, c).names(), settings.failback());
  }

  /** The members the running configuration counts (else the node's settings). */
  Roster roster() {
    return Roster.of(settings, running.get());
  }

  /**
   * The layout digest and version this member runs. Failback is each node's own (a pair's node
   * files may differ): not part of the layout both must share.
   */
  GroupWord.About about() {
    ConfigVersion v = version.get();
    ReplicatedConfig c = running.get();
    ReplicatedConfig layout = ImplicitGroup.apply(c, Roster.of(settings, c).names());
    return new GroupWord.About(GroupLayout.digest(layout), v.number(), v.hash());
  }
}
