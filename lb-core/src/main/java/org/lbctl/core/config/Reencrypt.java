package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * TLS from the load balancer to a real server (GE CCW: "Re-Encrypt to Backend", "Verify Server
 * Certificate: mTLS", "Send Client Certificate: client-cert").
 *
 * @param verifyCa the CA family that must sign the server's certificate (the chain is checked; the
 *     server is addressed by IP, so its name is not)
 * @param clientCertificate the named certificate presented to the server; empty for none
 */
public record Reencrypt(String verifyCa, String clientCertificate) {
  public Reencrypt {
    requireNonNull(verifyCa, "verifyCa");
    requireNonNull(clientCertificate, "clientCertificate");
  }
}
