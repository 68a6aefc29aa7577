package org.lbctl.cluster.joining;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.groups.ClusterParts;
import org.lbctl.cluster.pairing.OfferSlot;
import org.lbctl.cluster.pairing.PairingException;
import org.lbctl.cluster.pairing.PairingListener;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.Endpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's invitation to one node: a token-sealed listener, and the admission of the node that
 * presents the token, as a configuration version that lists it among the members.
 */
final class Invitations {
  private static final Logger log = LoggerFactory.getLogger(Invitations.class);

  private final MemberSlot members;
  private final ConfigInstaller installer;
  private final OfferSlot offer = new OfferSlot();

  Invitations(MemberSlot members, ConfigInstaller installer) {
    this.members = members;
    this.installer = installer;
  }

  /** See {@code NodeControl.inviteToCluster}. */
  PairingOffer invite(Optional<InetSocketAddress> listen) throws ApiException {
    synchronized (members.changes) {
      ClusterParts p = members.require();
      Optional<String> refusal = p.editRefusal();
      if (refusal.isPresent()) {
        throw new ApiException(409, "cannot invite: " + refusal.get());
      }
      InetSocketAddress at = listen.orElseGet(() -> p.roster().selfAddress());
      return offer.open(at, this::onJoinRequest, "lbctl cluster invite");
    }
  }

  /** A node presented the invitation's token; on the listener's thread. */
  private PairingListener.Reply onJoinRequest(byte[] bytes) throws PairingException {
    JoinRequest request = JoinRequest.from(bytes);
    JoinAnswer answer;
    synchronized (members.changes) {
      answer = admit(request);
    }
    return new PairingListener.Reply(request.requestId(), answer.toBytes(), answer.accepted());
  }

  private JoinAnswer admit(JoinRequest request) {
    ClusterParts p = members.parts();
    if (p == null) {
      return JoinAnswer.refused("the inviting node left the cluster", "");
    }
    String self = p.self();
    Optional<String> refusal = p.editRefusal();
    if (refusal.isPresent()) {
      return JoinAnswer.refused(refusal.get(), self);
    }
    List<String> away =
        p.status().members().stream().filter(m -> !m.inView()).map(m -> m.name()).toList();
    if (!away.isEmpty()) {
      return JoinAnswer.refused(
          away
              + " cannot be seen from "
              + self
              + ": a member more while one is away could cost the cluster its majority; bring it"
              + " back (or `lbctl cluster remove` it) first",
          self);
    }
    ClusterSettings.Member added = new ClusterSettings.Member(request.name(), request.address());
    String secret;
    try {
      secret = Files.readString(p.secretFile(), StandardCharsets.UTF_8).strip();
      members.edit(running -> MemberEdit.add(running, p.roster().members(), added));
    } catch (ApiException e) {
      log.warn("cluster: refused {} joining: {}", request.name(), e.getMessage());
      return JoinAnswer.refused(e.getMessage(), self);
    } catch (IOException e) {
      return JoinAnswer.refused("cannot read the cluster secret: " + e.getMessage(), self);
    }
    log.warn(
        "cluster: {} ({}) joins; the members are now {} (configuration {})",
        request.name(),
        Endpoints.format(request.address()),
        p.roster().names(),
        installer.version());
    offer.used();
    return new JoinAnswer(
        true, "", self, p.roster().members(), secret, installer.version(), installer.document());
  }

  void close() {
    offer.close();
  }
}
