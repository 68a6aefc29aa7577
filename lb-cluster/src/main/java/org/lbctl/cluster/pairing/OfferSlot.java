package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.PairingOffer;
import org.lbctl.core.config.Endpoints;

/**
 * This node's one open offer, to be paired or to let a node join its cluster: a new offer closes
 * the last, so only the latest token works.
 */
public final class OfferSlot {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALIDITY = Duration.ofMinutes(10);

  private PairingListener listener;

  /**
   * Opens an offer at {@code listen} for ten minutes under a fresh token.
   *
   * @param again the command that makes a new offer, named when this one ends unused
   * @throws ApiException 409 when the address cannot be bound
   */
  public synchronized PairingOffer open(
      InetSocketAddress listen, PairingListener.Handler handler, String again) throws ApiException {
    close();
    PairingToken token = PairingToken.generate(RANDOM);
    try {
      listener = PairingListener.open(listen, token, VALIDITY, handler, again);
    } catch (IOException e) {
      throw new ApiException(409, e.getMessage());
    }
    return new PairingOffer(
        Endpoints.format(listen), token.display(), listener.expiresAt().toString());
  }

  /** The offer did its work (its listener closes itself). */
  public synchronized void used() {
    listener = null;
  }

  public synchronized boolean isOpen() {
    return listener != null && listener.isOpen();
  }

  public synchronized void close() {
    if (listener != null) {
      listener.close();
      listener = null;
    }
  }
}
