package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;

/** The primary's side of pairing: one sealed request to the peer's offer, one sealed answer. */
public final class PairingClient {
  private PairingClient() {}

  /**
   * Sends the request and waits for the peer's decision.
   *
   * @throws PairingException when the peer cannot be reached, refuses the token, or answers with
   *     something the token did not seal
   */
  public static PairingAnswer send(
      InetSocketAddress peer, PairingToken token, PairingRequest request, Duration timeout)
      throws PairingException {
    byte[] bytes;
    try {
      bytes = request.toBytes();
    } catch (IOException e) {
      throw new PairingException("cannot write the request: " + e.getMessage(), e);
    }
    return PairingAnswer.from(
        exchange(peer, token, request.requestId(), bytes, timeout, "lbctl pair --accept"));
  }

  /**
   * Sends one request sealed under {@code token} and returns the sealed answer, opened.
   *
   * @param offer the command that opens the offer on the peer, named when nothing listens
   */
  public static byte[] exchange(
      InetSocketAddress peer,
      PairingToken token,
      String requestId,
      byte[] request,
      Duration timeout,
      String offer)
      throws PairingException {
    PairingCipher cipher = new PairingCipher(token, new SecureRandom());
    String where = peer.getAddress().getHostAddress() + ":" + peer.getPort();
    try (Socket s = new Socket()) {
      s.connect(peer, (int) Math.min(timeout.toMillis(), 5_000));
      s.setSoTimeout((int) timeout.toMillis());
      PairingWire.write(s.getOutputStream(), PairingWire.SEALED, cipher.seal("request", request));
      PairingWire.Frame frame = PairingWire.read(s.getInputStream(), PairingWire.MAX_ANSWER_BYTES);
      if (frame.kind() == PairingWire.REFUSED) {
        throw new PairingException(where + ": " + frame.text());
      }
      return cipher.open("answer " + requestId, frame.bytes());
    } catch (java.net.ConnectException e) {
      throw new PairingException(
          "nothing listens for pairing on "
              + where
              + " (TCP): run `"
              + offer
              + "` on the peer first, and check that the offer has not expired",
          e);
    } catch (IOException e) {
      throw new PairingException("pairing with " + where + " failed: " + e.getMessage(), e);
    }
  }
}
