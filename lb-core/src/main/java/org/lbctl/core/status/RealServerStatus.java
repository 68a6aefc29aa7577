package org.lbctl.core.status;

/**
 * One real server as the System Overview shows it.
 *
 * @param lastCheckMillis how long that check took; null without a check or before the first
 * @param lastCheck what its latest health check found ("connect to 10.0.0.1:104: connection
 *     refused"); null without a check or before the first
 * @param hl7Acks HL7 message mode: the acknowledgments of this server relayed, by code (empty
 *     otherwise)
 */
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
    long bytesOut,
    String lastCheck,
    Double lastCheckMillis,
    java.util.Map<String, Long> hl7Acks) {
  public RealServerStatus {
    hl7Acks = hl7Acks == null ? java.util.Map.of() : java.util.Map.copyOf(hl7Acks);
  }
}
