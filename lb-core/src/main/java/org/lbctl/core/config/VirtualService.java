package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * An address and one or more ports that clients connect to, with the real servers behind it.
 *
 * @param mode layer 4 forwarding method; {@link ForwardingMode#SNAT} for layer 7 (always a proxy)
 * @param protocol layer 7 protocol; {@link Protocol#TCP} for layer 4
 * @param fallback empty when disabled: the client connection is then closed at once
 * @param alertRecipients who else gets this virtual service's alerts, besides the global list
 * @param forceHttps HTTP mode: answer every request with a redirect to the same host and target on
 *     https (Epic's Hyperspace and MyChart port-80 VIPs); no real server is used
 * @param termination TLS on a port of its own in front of the HTTP mode; empty for none
 * @param transparent connect to the real servers from the client's own address (IP_TRANSPARENT), so
 *     they see the client; their route back to clients must go through the load balancer
 * @param maxRequestBody HTTP mode: the largest request body in bytes a client may send (more is
 *     413); 0 for no limit
 * @param trailers HTTP mode: whether trailer sections are passed on or dropped
 * @param dicom DICOM mode: how associations are admitted and routed by AE title; empty: any
 *     association goes to any real server
 * @param hl7 HL7 message mode's settings (defaults for other protocols)
 */
public record VirtualService(
    String label,
    String address,
    List<Integer> ports,
    Layer layer,
    ForwardingMode mode,
    Protocol protocol,
    SchedulerKind scheduler,
    Persistence persistence,
    HealthCheck healthCheck,
    Optional<Fallback> fallback,
    Timeouts timeouts,
    List<RealServer> realServers,
    List<String> alertRecipients,
    boolean forceHttps,
    Optional<Termination> termination,
    boolean transparent,
    long maxRequestBody,
    Trailers trailers,
    Optional<DicomRouting> dicom,
    Hl7Settings hl7) {

  public VirtualService {
    requireNonNull(label, "label");
    requireNonNull(address, "address");
    ports = List.copyOf(ports);
    requireNonNull(layer, "layer");
    requireNonNull(mode, "mode");
    requireNonNull(protocol, "protocol");
    requireNonNull(scheduler, "scheduler");
    requireNonNull(persistence, "persistence");
    requireNonNull(healthCheck, "healthCheck");
    requireNonNull(fallback, "fallback");
    requireNonNull(timeouts, "timeouts");
    realServers = List.copyOf(realServers);
    alertRecipients = List.copyOf(alertRecipients);
    requireNonNull(termination, "termination");
    requireNonNull(trailers, "trailers");
    requireNonNull(dicom, "dicom");
    requireNonNull(hl7, "hl7");
    if (maxRequestBody < 0) {
      throw new IllegalArgumentException("maxRequestBody < 0");
    }
  }

  public Optional<RealServer> realServer(String rsLabel) {
    return realServers.stream().filter(r -> r.label().equals(rsLabel)).findFirst();
  }

  /**
   * Served by the Netty proxy (layer 7, TCP or HTTP mode); layer 4 (NAT, DR, SNAT) is forwarded by
   * the kernel.
   */
  public boolean isProxied() {
    return layer == Layer.L7;
  }
}
