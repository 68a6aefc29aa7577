package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * A certificate the node presents, by name (the guides' "SSL Certificate: client-cert"): in files
 * on each node — a PEM chain (leaf first) with its PEM (PKCS#8) private key, or a PFX (PKCS#12)
 * file with the file that holds its password — or inline in the configuration ({@code
 * certificatePem}, {@code keyPem}: what an upload through the API makes), so it replicates to the
 * peer with the rest.
 */
public record NamedCertificate(
    String name,
    String certificateFile,
    String keyFile,
    String pfxFile,
    String passwordFile,
    String certificatePem,
    String keyPem) {
  public NamedCertificate {
    requireNonNull(name, "name");
    requireNonNull(certificateFile, "certificateFile");
    requireNonNull(keyFile, "keyFile");
    requireNonNull(pfxFile, "pfxFile");
    requireNonNull(passwordFile, "passwordFile");
    requireNonNull(certificatePem, "certificatePem");
    requireNonNull(keyPem, "keyPem");
  }

  /** A PEM certificate and key in files. */
  public NamedCertificate(String name, String certificateFile, String keyFile) {
    this(name, certificateFile, keyFile, "", "", "", "");
  }

  /** A certificate and key held in the configuration itself. */
  public static NamedCertificate inline(String name, String certificatePem, String keyPem) {
    return new NamedCertificate(name, "", "", "", "", certificatePem, keyPem);
  }

  public boolean isInline() {
    return !certificatePem.isEmpty();
  }

  @Override
  public String toString() {
    return "NamedCertificate[" + name + ", " + mainFile() + "]";
  }

  public boolean isPfx() {
    return !pfxFile.isEmpty();
  }

  /** The file a problem is named after. */
  public String mainFile() {
    if (isInline()) {
      return "certificate " + name + " (uploaded)";
    }
    return isPfx() ? pfxFile : certificateFile;
  }
}
