package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Settings that belong to one node and never replicate.
 *
 * @param configFile the replicated configuration this node loads and reloads; empty when the node
 *     runs on an embedded configuration
 * @param managementSocket the Unix socket of the local management API
 * @param ioThreads event loop threads of the data plane; 0 = one per core
 * @param pair how to reach the peer; empty for a node that runs alone
 * @param scriptsDirectory where the {@code external} health checks' scripts are (each node has its
 *     own copy; a configuration naming a script missing here is refused)
 * @param https the HTTPS management listener; empty: none (the Unix socket only)
 * @param snmp the read-only SNMP agent; empty: none
 * @param auditSyslog a syslog server over TLS that receives the audit log too; empty: none
 * @param transport the data plane's socket transport
 * @param cluster the cluster this node is a member of; empty for a node alone or of a pair
 */
public record NodeConfig(
    Optional<Path> configFile,
    Path managementSocket,
    int ioThreads,
    Optional<PairSettings> pair,
    Path scriptsDirectory,
    Optional<ManagementHttps> https,
    Optional<SnmpSettings> snmp,
    Optional<AuditSyslog> auditSyslog,
    TransportChoice transport,
    Optional<ClusterSettings> cluster) {
  public static final Path DEFAULT_SOCKET = Path.of("/run/lbctl/lbctl.sock");
  public static final Path DEFAULT_SCRIPTS = Path.of("/etc/lbctl/scripts");

  public NodeConfig {
    requireNonNull(configFile, "configFile");
    requireNonNull(managementSocket, "managementSocket");
    requireNonNull(pair, "pair");
    requireNonNull(scriptsDirectory, "scriptsDirectory");
    requireNonNull(https, "https");
    requireNonNull(snmp, "snmp");
    requireNonNull(auditSyslog, "auditSyslog");
    requireNonNull(transport, "transport");
    requireNonNull(cluster, "cluster");
  }

  /** Without a cluster. */
  public NodeConfig(
      Optional<Path> configFile,
      Path managementSocket,
      int ioThreads,
      Optional<PairSettings> pair,
      Path scriptsDirectory,
      Optional<ManagementHttps> https,
      Optional<SnmpSettings> snmp,
      Optional<AuditSyslog> auditSyslog,
      TransportChoice transport) {
    this(
        configFile,
        managementSocket,
        ioThreads,
        pair,
        scriptsDirectory,
        https,
        snmp,
        auditSyslog,
        transport,
        Optional.empty());
  }

  public NodeConfig(
      Optional<Path> configFile,
      Path managementSocket,
      int ioThreads,
      Optional<PairSettings> pair) {
    this(
        configFile,
        managementSocket,
        ioThreads,
        pair,
        DEFAULT_SCRIPTS,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        TransportChoice.AUTO);
  }

  /**
   * These settings with command-line values on top. Whatever the command line does not name, the
   * pair section among it, is kept: rebuilding a node configuration field by field once lost the
   * pair and started a node of a pair alone.
   */
  public NodeConfig withOverrides(
      Optional<Path> configFile,
      Optional<Path> managementSocket,
      OptionalInt ioThreads,
      Optional<TransportChoice> transport) {
    return new NodeConfig(
        configFile.isPresent() ? configFile : this.configFile,
        managementSocket.orElse(this.managementSocket),
        ioThreads.orElse(this.ioThreads),
        pair,
        scriptsDirectory,
        https,
        snmp,
        auditSyslog,
        transport.orElse(this.transport),
        cluster);
  }

  /** These settings with another pair (empty: the node runs alone). */
  public NodeConfig withPair(Optional<PairSettings> pair) {
    return new NodeConfig(
        configFile,
        managementSocket,
        ioThreads,
        pair,
        scriptsDirectory,
        https,
        snmp,
        auditSyslog,
        transport,
        cluster);
  }

  /** These settings with another cluster (empty: the node is no member of one). */
  public NodeConfig withCluster(Optional<ClusterSettings> cluster) {
    return new NodeConfig(
        configFile,
        managementSocket,
        ioThreads,
        pair,
        scriptsDirectory,
        https,
        snmp,
        auditSyslog,
        transport,
        cluster);
  }

  /** These settings with another audit syslog server (empty: none). */
  public NodeConfig withAuditSyslog(Optional<AuditSyslog> auditSyslog) {
    return new NodeConfig(
        configFile,
        managementSocket,
        ioThreads,
        pair,
        scriptsDirectory,
        https,
        snmp,
        auditSyslog,
        transport,
        cluster);
  }

  /** These settings with another SNMP agent (empty: none). */
  public NodeConfig withSnmp(Optional<SnmpSettings> snmp) {
    return new NodeConfig(
        configFile,
        managementSocket,
        ioThreads,
        pair,
        scriptsDirectory,
        https,
        snmp,
        auditSyslog,
        transport,
        cluster);
  }

  /** These settings with another HTTPS listener (empty: none). */
  public NodeConfig withHttps(Optional<ManagementHttps> https) {
    return new NodeConfig(
        configFile,
        managementSocket,
        ioThreads,
        pair,
        scriptsDirectory,
        https,
        snmp,
        auditSyslog,
        transport,
        cluster);
  }

  /** A node that runs alone. */
  public NodeConfig(Optional<Path> configFile, Path managementSocket, int ioThreads) {
    this(configFile, managementSocket, ioThreads, Optional.empty());
  }
}
