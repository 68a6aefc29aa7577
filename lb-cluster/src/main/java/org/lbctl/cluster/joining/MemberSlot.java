package org.lbctl.cluster.joining;

import java.nio.charset.StandardCharsets;
import org.lbctl.cluster.groups.ClusterParts;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.NodeControl;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.ReplicatedConfig;

/**
 * This node's part in a cluster while it is a member, and what every change to it shares: one lock,
 * and edits that run as configuration versions every member takes.
 */
final class MemberSlot {
  /** An edit of the running configuration; refused with the reason for the caller. */
  @FunctionalInterface
  interface Edit {
    ReplicatedConfig apply(ReplicatedConfig running) throws ApiException;
  }

  // Joining, inviting, leaving and removing take this lock, and only then the installer's monitor.
  final Object changes = new Object();
  private final ConfigInstaller installer;
  private volatile ClusterParts parts;

  MemberSlot(ConfigInstaller installer) {
    this.installer = installer;
  }

  /** This node's part in its cluster; {@code null} while it is no member. */
  ClusterParts parts() {
    return parts;
  }

  void set(ClusterParts next) {
    parts = next;
  }

  /**
   * @throws ApiException 409 while this node is no member
   */
  ClusterParts require() throws ApiException {
    ClusterParts p = parts;
    if (p == null) {
      throw new ApiException(409, NodeControl.NOT_A_MEMBER);
    }
    return p;
  }

  /**
   * Runs {@code edit} of the running configuration as a new version. Under the installer's lock: a
   * synced version cannot land between reading and replacing.
   */
  void edit(Edit edit) throws ApiException {
    synchronized (installer) {
      ReplicatedConfig next = edit.apply(installer.runningConfig());
      installer.replaceConfig(
          ConfigWriter.toYaml(next).getBytes(StandardCharsets.UTF_8), installer.version().hash());
    }
  }
}
