package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.PairOrder;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.lbctl.core.status.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of pairing: it presents the token the peer's offer printed, with a new pair
 * secret, and once the peer accepted it joins the pair and waits for it to come up.
 */
final class PrimaryPairing {
  private static final Logger log = LoggerFactory.getLogger(PrimaryPairing.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration PAIRING_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PAIR_UP = Duration.ofSeconds(10);

  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final PairParts parts;
  private final Supplier<NodeStatus> status;
  private final Runnable onBreak;

  PrimaryPairing(
      PairSlot slot,
      ConfigInstaller installer,
      PairParts parts,
      Supplier<NodeStatus> status,
      Runnable onBreak) {
    this.slot = slot;
    this.installer = installer;
    this.parts = parts;
    this.status = status;
    this.onBreak = onBreak;
  }

  NodeStatus becomePrimary(PairOrder order) throws ApiException {
    parts.requireAlone("pair");
    PairingToken token =
        PairingToken.parse(order.token())
            .orElseThrow(
                () ->
                    new ApiException(
                        400,
                        "token: not a pairing token (26 letters and digits in groups of five, as"
                            + " `lbctl pair --accept` printed it on the peer)"));
    LocalAddresses.Endpoint here;
    try {
      here = LocalAddresses.toward(order.peer(), order.bind(), order.device());
    } catch (IOException e) {
      throw new ApiException(409, "cannot pair: " + e.getMessage() + "; nothing changed");
    }
    InetSocketAddress bind = here.bind();
    String device = here.device();
    String secret = HexFormat.of().formatHex(bytes(32));
    PairingRequest request =
        new PairingRequest(
            java.util.UUID.randomUUID().toString(),
            bind,
            secret,
            order.pingTargets(),
            order.failback(),
            order.force());
    PairingAnswer answer;
    try {
      answer = PairingClient.send(order.peer(), token, request, PAIRING_TIMEOUT);
    } catch (PairingException e) {
      throw new ApiException(502, "pairing failed, nothing changed: " + e.getMessage());
    }
    String peerName = Endpoints.format(order.peer());
    if (!answer.accepted()) {
      throw new ApiException(
          409,
          "the peer "
              + peerName
              + (answer.hostname().isEmpty() ? "" : " (" + answer.hostname() + ")")
              + " refused: "
              + answer.reason()
              + "; nothing changed");
    }
    Path file = slot.local().configFile().orElseThrow();
    PairSettings settings =
        new PairSettings(
            PairRole.PRIMARY,
            bind,
            order.peer(),
            file.toAbsolutePath().resolveSibling(PairFile.SECRET_NAME),
            order.pingTargets(),
            order.failback(),
            device);
    try {
      parts.join(settings, secret, new ConfigStore(file), onBreak);
    } catch (IOException | RuntimeException e) {
      log.error("pairing: the peer {} accepted, but this node cannot start the pair", peerName, e);
      throw new ApiException(
          500,
          "the peer "
              + peerName
              + " accepted, but this node cannot start the pair: "
              + e.getMessage()
              + "; run `lbctl pair --break --force` on the peer, fix this and pair again");
    }
    installer.recordVersion(installer.version());
    try {
      // It takes the floating addresses once the secondary runs its version: a moment.
      slot.pair().awaitActive(PAIR_UP);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.warn(
        "pairing: this node is now the PRIMARY of a pair with {} ({}); floating IPs on {}",
        peerName,
        answer.hostname(),
        device);
    return status.get();
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
