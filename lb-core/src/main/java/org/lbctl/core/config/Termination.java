package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * TLS terminated by the virtual service on a port of its own, in front of its HTTP mode (GE CCW:
 * termination port 8443, certificate client-cert, CA mTLS).
 *
 * @param certificate the name of a {@link NamedCertificate}
 * @param clientCa the name of a {@link CaFamily}: clients must present a certificate it signs
 *     (mutual TLS); empty for none
 * @param http2 whether an HTTP-mode VIP offers HTTP/2 to clients (ALPN {@code h2}) besides
 *     HTTP/1.1; real servers are spoken to in HTTP/1.1 either way
 * @param sni other certificates by the host name a client asks for (SNI, {@code *.example} for a
 *     whole domain); a client that asks for none of them, or for nothing, gets {@code certificate}
 */
public record Termination(
    int port,
    String certificate,
    String clientCa,
    java.util.Map<String, String> sni,
    boolean http2) {
  public Termination {
    requireNonNull(certificate, "certificate");
    requireNonNull(clientCa, "clientCa");
    sni = java.util.Map.copyOf(sni);
  }

  public Termination(int port, String certificate, String clientCa) {
    this(port, certificate, clientCa, java.util.Map.of(), true);
  }
}
