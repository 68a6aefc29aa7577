package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * What an {@code http-get} or {@code https-get} check asks and expects (GE CCW's notification VIP:
 * GET /api/health/ must equal {@code allServicesOperative}, over mutual TLS).
 *
 * @param host the Host header and, over TLS, the server name (SNI); empty: the server's address
 * @param expectBody text the body must contain or equal; empty: any body
 * @param verifyCertificate check the server's certificate against {@code caFile}
 * @param caFile PEM certificates of the CA that signs the real servers' certificates
 * @param clientCertificateFile PEM certificate presented to a server that wants one (mTLS)
 * @param clientKeyFile its PEM (PKCS#8) private key
 */
public record HttpGet(
    String path,
    String host,
    int expectStatus,
    String expectBody,
    BodyMatch bodyMatch,
    boolean verifyCertificate,
    String caFile,
    String clientCertificateFile,
    String clientKeyFile) {
  public static final HttpGet DEFAULT =
      new HttpGet("/", "", 200, "", BodyMatch.CONTAINS, true, "", "", "");

  public HttpGet {
    requireNonNull(path, "path");
    requireNonNull(host, "host");
    requireNonNull(expectBody, "expectBody");
    requireNonNull(bodyMatch, "bodyMatch");
    requireNonNull(caFile, "caFile");
    requireNonNull(clientCertificateFile, "clientCertificateFile");
    requireNonNull(clientKeyFile, "clientKeyFile");
  }
}
