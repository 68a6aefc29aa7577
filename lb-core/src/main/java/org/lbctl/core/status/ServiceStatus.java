package org.lbctl.core.status;

import java.util.List;
import java.util.Map;

/**
 * One virtual service as the System Overview shows it.
 *
 * @param state {@code up} while a real server can take connections, {@code fallback} when only the
 *     fallback server can, {@code down} when new clients are refused
 * @param fallback {@code address:port} of the fallback server, or {@code null} when disabled
 * @param httpRejected HTTP exchanges refused or cut, by reason (HTTP mode only; empty otherwise)
 * @param dicomAssociations DICOM associations offered, by outcome (DICOM mode only; empty
 *     otherwise)
 * @param hl7Messages HL7 message mode: acknowledgments relayed by code, then resent, unanswered and
 *     malformed, and the summed acknowledgment time in ms (empty otherwise)
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
    List<RealServerStatus> realServers,
    Map<String, Long> httpRejected,
    Map<String, Long> dicomAssociations,
    Map<String, Long> hl7Messages) {

  public ServiceStatus {
    // In the order given (the reasons' declaration order), for a status that reads the same each
    // time.
    httpRejected =
        httpRejected == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(httpRejected));
    dicomAssociations =
        dicomAssociations == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(dicomAssociations));
    hl7Messages =
        hl7Messages == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(hl7Messages));
  }
}
