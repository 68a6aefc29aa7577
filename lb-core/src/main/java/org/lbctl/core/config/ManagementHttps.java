package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The HTTPS management listener of one node (never replicated).
 *
 * @param listen address and port, 0.0.0.0:9443 unless configured
 * @param certificate PEM certificate chain and key; empty: a self-signed one is generated once and
 *     kept in the state directory
 */
public record ManagementHttps(InetSocketAddress listen, Optional<CertificateFiles> certificate) {
  public static final int DEFAULT_PORT = 9443;

  /** PEM files of a configured certificate. */
  public record CertificateFiles(java.nio.file.Path certificate, java.nio.file.Path key) {}

  public ManagementHttps {
    requireNonNull(listen, "listen");
    requireNonNull(certificate, "certificate");
  }

  /** All addresses, port 9443, a generated certificate. */
  public static ManagementHttps defaults() {
    return new ManagementHttps(new InetSocketAddress(DEFAULT_PORT), Optional.empty());
  }
}
