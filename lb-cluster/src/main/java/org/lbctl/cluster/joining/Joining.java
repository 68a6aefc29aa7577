package org.lbctl.cluster.joining;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.groups.ClusterParts;
import org.lbctl.cluster.groups.DataPlane;
import org.lbctl.cluster.pairing.LocalAddresses;
import org.lbctl.cluster.pairing.PairSlot;
import org.lbctl.cluster.pairing.PairingClient;
import org.lbctl.cluster.pairing.PairingException;
import org.lbctl.cluster.pairing.PairingToken;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.JoinOrder;
import org.lbctl.core.config.ClusterFile;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.Fencing;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.os.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lone node joining a cluster on a member's invitation: it presents the token, and on the
 * member's answer writes the cluster's files, takes the cluster's configuration and starts its
 * part. Whatever fails before the answer changes nothing; after it, the node goes back to what it
 * ran.
 */
final class Joining {
  private static final Logger log = LoggerFactory.getLogger(Joining.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Starts this node's part in a cluster. */
  @FunctionalInterface
  interface Start {
    void start(ClusterSettings settings) throws IOException;
  }

  private final MemberSlot members;
  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final DataPlane plane;
  private final Start start;

  Joining(
      MemberSlot members, PairSlot slot, ConfigInstaller installer, DataPlane plane, Start start) {
    this.members = members;
    this.slot = slot;
    this.installer = installer;
    this.plane = plane;
    this.start = start;
  }

  /** See {@code NodeControl.joinCluster}. */
  void join(JoinOrder order, String hostname) throws ApiException {
    synchronized (members.changes) {
      requireAlone();
      List<String> own =
          installer.runningConfig().virtualServices().stream().map(v -> v.label()).toList();
      if (!own.isEmpty() && !order.force()) {
        throw new ApiException(
            409,
            "this node runs "
                + own.size()
                + " virtual service(s) of its own ("
                + String.join(", ", own)
                + "), which joining replaces with the cluster's configuration; join with --force to"
                + " replace them (its file is kept beside as .before-join-<time>); nothing changed");
      }
      PairingToken token =
          PairingToken.parse(order.token())
              .orElseThrow(
                  () ->
                      new ApiException(
                          400,
                          "token: not an invitation token (26 letters and digits in groups of"
                              + " five, as `lbctl cluster invite` printed it on a member)"));
      String name = order.name().orElse(shortName(hostname));
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
        throw new ApiException(
            400,
            "this node's host name '"
                + name
                + "' is not a member name (letters, digits, _ . -): give one with --name");
      }
      LocalAddresses.Endpoint here;
      try {
        here = LocalAddresses.toward(order.peer(), order.bind(), order.device());
      } catch (IOException e) {
        throw new ApiException(409, "cannot join: " + e.getMessage() + "; nothing changed");
      }
      JoinAnswer answer = ask(order, token, new JoinRequest(newId(), name, here.bind()));
      become(
          new ClusterSettings(
              name,
              answer.members(),
              slot.local()
                  .configFile()
                  .orElseThrow()
                  .toAbsolutePath()
                  .resolveSibling(ClusterFile.SECRET_NAME),
              here.device(),
              Fencing.DEFAULT),
          answer,
          !own.isEmpty());
      log.warn(
          "cluster: this node is now member '{}' of the cluster of {} ({}); the members are {}",
          name,
          answer.member(),
          Endpoints.format(order.peer()),
          answer.members().stream().map(ClusterSettings.Member::name).toList());
    }
  }

  /** The member's answer, accepted; anything else is refused with nothing changed. */
  private static JoinAnswer ask(JoinOrder order, PairingToken token, JoinRequest request)
      throws ApiException {
    JoinAnswer answer;
    try {
      answer =
          JoinAnswer.from(
              PairingClient.exchange(
                  order.peer(),
                  token,
                  request.requestId(),
                  request.toBytes(),
                  TIMEOUT,
                  "lbctl cluster invite"));
    } catch (PairingException e) {
      throw new ApiException(502, "joining failed, nothing changed: " + e.getMessage());
    }
    if (!answer.accepted()) {
      throw new ApiException(
          409,
          "the member "
              + Endpoints.format(order.peer())
              + (answer.member().isEmpty() ? "" : " (" + answer.member() + ")")
              + " refused: "
              + answer.reason()
              + "; nothing changed");
    }
    return answer;
  }

  /**
   * Writes the cluster's files and starts this node's part; on failure puts the files back and runs
   * alone again on what it ran before.
   */
  private void become(ClusterSettings settings, JoinAnswer answer, boolean keepOwn)
      throws ApiException {
    NodeConfig before = slot.local();
    Path file = before.configFile().orElseThrow();
    ConfigVersion ran = installer.version();
    byte[] document = installer.document();
    try {
      if (keepOwn) {
        AtomicFiles.keepBeside(file, ".before-join-");
      }
      ClusterFile.write(file, settings, answer.secret());
      slot.setLocal(before.withCluster(Optional.of(settings)));
      // Nothing floating answers here until the cluster places a group on this node.
      plane.engine().setServing(false);
      installer.becomeMember(new ConfigStore(file));
      installer.install(answer.version(), answer.document());
      // The cluster's users and tokens replace this node's at the members' first word.
      plane.accounts().unnumber();
      start.start(settings);
    } catch (IOException | ConfigException | RuntimeException e) {
      log.error("cluster: the member accepted this node, but it cannot start as a member", e);
      ClusterParts p = members.parts();
      members.set(null);
      if (p != null) {
        p.close();
      }
      installer.leaveCluster();
      slot.setLocal(before);
      try {
        plane.accounts().claim();
      } catch (IOException claim) {
        log.error("cluster: cannot number this node's accounts again: {}", claim.getMessage());
      }
      try {
        ClusterFile.delete(file);
        AtomicFiles.replace(file, document, true);
        Files.deleteIfExists(new ConfigStore(file).versionFile());
        installer.install(ran, document);
        plane.engine().setServing(true);
      } catch (IOException | ConfigException | RuntimeException restore) {
        log.error("cluster: cannot restore what this node ran before joining", restore);
      }
      throw new ApiException(
          500,
          "the member accepted this node, but it cannot start as a member: "
              + e.getMessage()
              + "; run `lbctl cluster remove "
              + settings.name()
              + "` on a member, fix this and join again");
    }
  }

  private void requireAlone() throws ApiException {
    NodeConfig local = slot.local();
    ClusterParts p = members.parts();
    if (p != null) {
      throw new ApiException(
          409, "this node is a member of a cluster already (" + p.roster().names() + ")");
    }
    if (slot.pair() != null || local.pair().isPresent()) {
      throw new ApiException(
          409, "this node is one of a pair: `lbctl pair --break` first, then join the cluster");
    }
    if (local.configFile().isEmpty()) {
      throw new ApiException(
          409,
          "this node runs on an embedded configuration; a cluster member needs a configuration"
              + " file (--config or the node file's configFile) to keep its versions in");
    }
  }

  private static String newId() {
    return java.util.UUID.randomUUID().toString();
  }

  private static String shortName(String hostname) {
    int dot = hostname.indexOf('.');
    return dot > 0 ? hostname.substring(0, dot) : hostname;
  }
}
