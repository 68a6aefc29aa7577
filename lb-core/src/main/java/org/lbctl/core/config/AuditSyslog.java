package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Where the audit log also goes: a syslog server over TLS (RFC 5425), whose certificate must be
 * signed by {@code caFile} and name the address (or {@code serverName}).
 */
public record AuditSyslog(InetSocketAddress address, Path caFile, String serverName) {
  public static final int DEFAULT_PORT = 6514;

  public AuditSyslog {
    requireNonNull(address, "address");
    requireNonNull(caFile, "caFile");
    requireNonNull(serverName, "serverName");
  }
}
