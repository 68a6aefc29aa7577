package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The HTTPS management listener of one node (never replicated).
 *
 * @param listen address and port as configured; the port alone when {@code ownAddress}
 * @param certificate PEM certificate chain and key; empty: a self-signed one is generated once and
 *     kept in the state directory
 * @param ownAddress no address configured: the node's own one (the pair's bind address, else the
 *     address its default route leaves from), not every address of the host, so the listener does
 *     not answer on VIPs and clinical networks
 * @param directory where users not local to the node log in, with their groups' roles
 */
public record ManagementHttps(
    InetSocketAddress listen,
    Optional<CertificateFiles> certificate,
    boolean ownAddress,
    Optional<DirectorySettings> directory) {
  public static final int DEFAULT_PORT = 9443;

  /** PEM files of a configured certificate. */
  public record CertificateFiles(java.nio.file.Path certificate, java.nio.file.Path key) {}

  public ManagementHttps {
    requireNonNull(listen, "listen");
    requireNonNull(certificate, "certificate");
    requireNonNull(directory, "directory");
  }

  /** Without a directory: local users only. */
  public ManagementHttps(
      InetSocketAddress listen, Optional<CertificateFiles> certificate, boolean ownAddress) {
    this(listen, certificate, ownAddress, Optional.empty());
  }

  /** A configured address. */
  public ManagementHttps(InetSocketAddress listen, Optional<CertificateFiles> certificate) {
    this(listen, certificate, false);
  }

  /** The node's own address, port 9443, a generated certificate. */
  public static ManagementHttps defaults() {
    return new ManagementHttps(new InetSocketAddress(DEFAULT_PORT), Optional.empty(), true);
  }
}
