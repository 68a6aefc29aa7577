package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * TLS terminated by the virtual service on a port of its own, in front of its HTTP mode (GE CCW:
 * termination port 8443, certificate client-cert, CA mTLS).
 *
 * @param certificate the name of a {@link NamedCertificate}
 * @param clientCa the name of a {@link CaFamily}: clients must present a certificate it signs
 *     (mutual TLS); empty for none
 */
public record Termination(int port, String certificate, String clientCa) {
  public Termination {
    requireNonNull(certificate, "certificate");
    requireNonNull(clientCa, "clientCa");
  }
}
