package org.lbctl.core.api;

/**
 * A lone node's offer to be paired: where it listens and the token a primary must present.
 *
 * @param listen {@code address:port} of the pairing listener (TCP)
 * @param token one use; typed on the primary
 * @param expiresAt when the listener closes unused (ISO-8601)
 */
public record PairingOffer(String listen, String token, String expiresAt) {}
