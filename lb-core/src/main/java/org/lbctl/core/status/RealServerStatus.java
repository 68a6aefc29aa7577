package org.lbctl.core.status;

/** One real server as the System Overview shows it. */
public record RealServerStatus(
    String label,
    String address,
    int port,
    int weight,
    String adminState,
    String health,
    int activeConnections,
    long totalConnections,
    long failedConnects,
    long bytesIn,
    long bytesOut) {}
