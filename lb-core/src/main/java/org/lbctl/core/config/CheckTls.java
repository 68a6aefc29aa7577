package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * TLS of a health check: {@code https-get} always, {@code dicom-echo} when {@code tls: true} (DICOM
 * TLS, PS3.15 annex B).
 *
 * @param enabled {@code dicom-echo} over TLS; ignored by {@code https-get}, which is TLS anyway
 * @param verifyCertificate check the server's certificate against {@code caFile} and its name
 * @param caFile PEM certificates of the CA that signs the real servers' certificates
 * @param clientCertificateFile PEM certificate presented to a server that wants one (mTLS)
 * @param clientKeyFile its PEM (PKCS#8) private key
 */
public record CheckTls(
    boolean enabled,
    boolean verifyCertificate,
    String caFile,
    String clientCertificateFile,
    String clientKeyFile) {
  public static final CheckTls DEFAULT = new CheckTls(false, true, "", "", "");

  public CheckTls {
    requireNonNull(caFile, "caFile");
    requireNonNull(clientCertificateFile, "clientCertificateFile");
    requireNonNull(clientKeyFile, "clientKeyFile");
  }

  /** Whether any certificate file is named. */
  public boolean namesFiles() {
    return !(caFile + clientCertificateFile + clientKeyFile).isEmpty();
  }
}
