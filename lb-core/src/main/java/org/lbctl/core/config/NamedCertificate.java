package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A certificate the node presents, by name (the guides' "SSL Certificate: client-cert"): a PEM
 * chain, leaf first, and its PEM (PKCS#8) private key, in files on each node.
 */
public record NamedCertificate(String name, String certificateFile, String keyFile) {
  public NamedCertificate {
    requireNonNull(name, "name");
    requireNonNull(certificateFile, "certificateFile");
    requireNonNull(keyFile, "keyFile");
  }
}
