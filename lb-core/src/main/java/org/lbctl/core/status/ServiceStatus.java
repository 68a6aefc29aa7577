package org.lbctl.core.status;

import java.util.List;

/**
 * One virtual service as the System Overview shows it.
 *
 * @param state {@code up} while a real server can take connections, {@code fallback} when only the
 *     fallback server can, {@code down} when new clients are refused
 * @param fallback {@code address:port} of the fallback server, or {@code null} when disabled
 */
public record ServiceStatus(
    String label,
    String address,
    List<Integer> ports,
    int layer,
    String mode,
    String protocol,
    String scheduler,
    String persistence,
    String state,
    String fallback,
    int activeConnections,
    long totalConnections,
    int queuedConnections,
    long fallbackConnections,
    long refusedConnections,
    long bytesIn,
    long bytesOut,
    List<RealServerStatus> realServers) {}
