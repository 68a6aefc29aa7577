package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.sync.ConfigInstaller;
import org.lbctl.cluster.sync.ConfigStore;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.PairRole;
import org.lbctl.core.config.PairSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secondary's side of pairing: an offer open at one of this node's addresses, and the answer to
 * the primary that presents its token (this node takes the primary's configuration and joins).
 */
final class SecondaryPairing {
  private static final Logger log = LoggerFactory.getLogger(SecondaryPairing.class);

  private final PairSlot slot;
  private final ConfigInstaller installer;
  private final PairParts parts;
  private final String name;
  private final Object pairing;
  private final Runnable onBreak;
  private final OfferSlot offer = new OfferSlot();

  /**
   * @param pairing the lock pairing and breaking take, also taken by an answer to an offer
   */
  SecondaryPairing(
      PairSlot slot,
      ConfigInstaller installer,
      PairParts parts,
      String name,
      Object pairing,
      Runnable onBreak) {
    this.slot = slot;
    this.installer = installer;
    this.parts = parts;
    this.name = name;
    this.pairing = pairing;
    this.onBreak = onBreak;
  }

  OfferSlot offer() {
    return offer;
  }

  PairingOffer offerPairing(InetSocketAddress listen) throws ApiException {
    parts.requireAlone("offer pairing");
    if (LocalAddresses.interfaceOf(listen.getAddress()).isEmpty()) {
      throw new ApiException(
          409,
          listen.getAddress().getHostAddress()
              + " is not an address of this node: listen on the address the primary reaches this"
              + " node at");
    }
    return offer.open(
        listen,
        PairingListener.pairing(request -> onPairingRequest(listen, request)),
        "lbctl pair --accept");
  }

  /** The offer's answer to a primary that presented the right token; on the listener's thread. */
  private PairingAnswer onPairingRequest(InetSocketAddress listen, PairingRequest request) {
    synchronized (pairing) {
      return becomeSecondary(listen, request);
    }
  }

  private PairingAnswer becomeSecondary(InetSocketAddress listen, PairingRequest request) {
    List<String> own =
        installer.runningConfig().virtualServices().stream().map(v -> v.label()).toList();
    try {
      parts.requireAlone("become a secondary");
    } catch (ApiException e) {
      return PairingAnswer.refused(e.getMessage(), name, own);
    }
    if (!own.isEmpty() && !request.force()) {
      return PairingAnswer.refused(
          "it runs "
              + own.size()
              + " virtual service(s) of its own ("
              + String.join(", ", own)
              + "), which pairing replaces with the primary's configuration; pair with --force to"
              + " replace them (its file is kept beside as .before-pair-<time>)",
          name,
          own);
    }
    Path file = slot.local().configFile().orElseThrow();
    Optional<String> device = LocalAddresses.interfaceOf(listen.getAddress());
    if (device.isEmpty()) {
      return PairingAnswer.refused(
          listen.getAddress().getHostAddress() + " is no longer an address of it", name, own);
    }
    PairSettings settings =
        new PairSettings(
            PairRole.SECONDARY,
            listen,
            request.primary(),
            file.toAbsolutePath().resolveSibling(PairFile.SECRET_NAME),
            request.pingTargets(),
            request.failback(),
            device.get());
    try {
      if (!own.isEmpty()) {
        Path kept = org.lbctl.core.os.AtomicFiles.keepBeside(file, ".before-pair-");
        log.warn("pairing: this node's own configuration is kept in {}", kept);
      }
      ConfigStore newStore = new ConfigStore(file);
      // Unnumbered: whatever this node ran alone, the primary's version replaces it.
      Files.deleteIfExists(newStore.versionFile());
      ConfigVersion alone = installer.version();
      installer.setVersion(new ConfigVersion(0, alone.hash()));
      try {
        parts.join(settings, request.secret(), newStore, onBreak);
      } catch (IOException | RuntimeException e) {
        installer.setVersion(alone);
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      log.error(
          "pairing: cannot become the secondary of {}: {}", request.primary(), e.getMessage());
      return PairingAnswer.refused("it cannot start the pair: " + e.getMessage(), name, own);
    }
    offer.used();
    log.warn(
        "pairing: this node is now the SECONDARY of {}; it takes the primary's configuration and"
            + " stays passive until it has heard from it",
        Endpoints.format(request.primary()));
    return PairingAnswer.accepted(name);
  }
}
