package org.lbctl.cluster.joining;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.lbctl.cluster.groups.ClusterParts;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.pairing.PairSlot;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.config.ClusterFile;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.os.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member going: this one leaving, or another removed, each a version without it that every member
 * runs. The one that finds itself no longer listed hands its groups over and runs alone on an empty
 * configuration (the cluster's is kept beside), so it answers for none of the cluster's addresses.
 */
final class Leaving {
  private static final Logger log = LoggerFactory.getLogger(Leaving.class);
  private static final Duration LEAVE_WAIT = Duration.ofSeconds(15);
  // How long a leaving member waits for the version without it to reach the others.
  private static final Duration SPREAD_WAIT = Duration.ofSeconds(5);

  private final MemberSlot members;
  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final DataPlane plane;
  private final Runnable closeInvitation;

  Leaving(
      MemberSlot members,
      PairSlot slot,
      ConfigInstaller installer,
      DataPlane plane,
      Runnable closeInvitation) {
    this.members = members;
    this.slot = slot;
    this.installer = installer;
    this.plane = plane;
    this.closeInvitation = closeInvitation;
  }

  /** See {@code NodeControl.leaveCluster}; returns once this node has left. */
  void leave() throws ApiException {
    ClusterParts p;
    synchronized (members.changes) {
      p = members.require();
      Path file = slot.local().configFile().orElseThrow();
      if (!Files.exists(ClusterFile.beside(file))) {
        throw new ApiException(
            409,
            "this member was set up by hand in the node file: run `lbctl cluster remove "
                + p.self()
                + "` on another member, then remove the node file's cluster section before it"
                + " restarts");
      }
      members.edit(running -> MemberEdit.remove(running, p.roster().members(), p.self()));
    }
    // The version without this node takes the parts down on a thread of its own.
    long deadline = System.nanoTime() + LEAVE_WAIT.toNanos();
    synchronized (members.changes) {
      while (members.parts() == p && System.nanoTime() - deadline < 0) {
        try {
          members.changes.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (members.parts() == p) {
        throw new ApiException(
            500,
            "the members no longer list this node, but it has not left within "
                + LEAVE_WAIT.toSeconds()
                + " s; see its log");
      }
    }
  }

  /** See {@code NodeControl.removeMember}. */
  void remove(String member) throws ApiException {
    synchronized (members.changes) {
      ClusterParts p = members.require();
      if (member.equals(p.self())) {
        throw new ApiException(
            409, "'" + member + "' is this node: run `lbctl cluster leave` to take it out");
      }
      members.edit(running -> MemberEdit.remove(running, p.roster().members(), member));
      log.warn("cluster: removed member {}; the members are now {}", member, p.roster().names());
    }
  }

  /** A configuration version no longer lists this node; on a thread of its own. */
  void onRemoved() {
    synchronized (members.changes) {
      ClusterParts p = members.parts();
      if (p == null) {
        return;
      }
      members.set(null);
      closeInvitation.run();
      awaitSpread(p, installer.version());
      installer.leaveCluster();
      p.close();
      runAlone();
      members.changes.notifyAll();
    }
  }

  /**
   * Waits until every other member in the view says it runs {@code v} or newer: a version made here
   * must reach them before this node goes, or the others would keep it among the members.
   */
  private static void awaitSpread(ClusterParts p, ConfigVersion v) {
    long deadline = System.nanoTime() + SPREAD_WAIT.toNanos();
    try {
      while (p.status().members().stream()
          .anyMatch(
              m -> m.inView() && !m.name().equals(p.self()) && m.configVersion() < v.number())) {
        if (System.nanoTime() - deadline > 0) {
          log.warn(
              "cluster: not every member confirmed configuration {} within {} s; it reaches them"
                  + " from the others",
              v,
              SPREAD_WAIT.toSeconds());
          return;
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Out of the cluster: its files go, and an empty configuration runs. */
  private void runAlone() {
    NodeConfig local = slot.local();
    Path file = local.configFile().orElseThrow();
    boolean byHand = !Files.exists(ClusterFile.beside(file));
    slot.setLocal(local.withCluster(Optional.empty()));
    try {
      ClusterFile.delete(file);
      Path kept = AtomicFiles.keepBeside(file, ".left-cluster-");
      Files.deleteIfExists(new ConfigStore(file).versionFile());
      // Alone, the cluster's services would answer on every address at once: none stay.
      AtomicFiles.replace(
          file, ConfigWriter.toYaml(ReplicatedConfig.EMPTY).getBytes(StandardCharsets.UTF_8), true);
      installer.reload();
      plane.engine().setServing(true);
      log.warn(
          "cluster: this node left the cluster and runs alone on an empty configuration; the"
              + " cluster's is kept in {}{}",
          kept,
          byHand
              ? ". Its node file still has a cluster section: remove it before the node restarts,"
                  + " or it looks for the cluster again"
              : "");
    } catch (IOException | ApiException | ConfigException | RuntimeException e) {
      log.error(
          "cluster: this node left the cluster but cannot clear its configuration {}: {}; it"
              + " serves nothing floating until it is fixed and restarted",
          file,
          e.getMessage());
    }
  }
}
