package org.lbctl.cluster.pairing;

/** Pairing did not happen; the message says why, for the operator. Nothing changed. */
public final class PairingException extends Exception {
  public PairingException(String message) {
    super(message);
  }

  public PairingException(String message, Throwable cause) {
    super(message, cause);
  }
}
