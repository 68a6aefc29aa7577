package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A certificate the node presents, by name (the guides' "SSL Certificate: client-cert"), in files
 * on each node: a PEM chain (leaf first) with its PEM (PKCS#8) private key, or a PFX (PKCS#12) file
 * with the file that holds its password.
 */
public record NamedCertificate(
    String name, String certificateFile, String keyFile, String pfxFile, String passwordFile) {
  public NamedCertificate {
    requireNonNull(name, "name");
    requireNonNull(certificateFile, "certificateFile");
    requireNonNull(keyFile, "keyFile");
    requireNonNull(pfxFile, "pfxFile");
    requireNonNull(passwordFile, "passwordFile");
  }

  /** A PEM certificate and key. */
  public NamedCertificate(String name, String certificateFile, String keyFile) {
    this(name, certificateFile, keyFile, "", "");
  }

  public boolean isPfx() {
    return !pfxFile.isEmpty();
  }

  /** The file a problem is named after. */
  public String mainFile() {
    return isPfx() ? pfxFile : certificateFile;
  }
}
