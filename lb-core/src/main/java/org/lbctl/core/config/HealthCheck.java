package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the real servers of a virtual service are checked.
 *
 * @param interval from the start of one check of a server to the start of the next
 * @param timeout how long one check may take before it counts as failed
 * @param rise consecutive successes that bring a down server up
 * @param fall consecutive failures that take an up server down
 * @param port the port to check instead of the server's own (0: the server's port for the VIP's
 *     first port; {@code all-ports} checks every port)
 * @param callingAeTitle {@code dicom-echo}: the AE title the check calls from
 * @param calledAeTitle {@code dicom-echo}: the real server's AE title
 * @param hl7ReceivingApplication {@code hl7}: MSH-5 of the check's message
 * @param hl7ReceivingFacility {@code hl7}: MSH-6
 * @param hl7MessageType {@code hl7}: MSH-9, NMD^N02 unless the engine wants another
 * @param script {@code external}: the name of a program in the node's scripts directory
 * @param http {@code http-get}, {@code https-get}: the request and the expected answer
 * @param tls {@code https-get}, and {@code dicom-echo} over TLS: verification and client
 *     certificate
 */
public record HealthCheck(
    CheckType type,
    Duration interval,
    Duration timeout,
    int rise,
    int fall,
    int port,
    String callingAeTitle,
    String calledAeTitle,
    String hl7ReceivingApplication,
    String hl7ReceivingFacility,
    String hl7MessageType,
    String script,
    HttpGet http,
    CheckTls tls) {
  public static final HealthCheck NONE =
      new HealthCheck(
          CheckType.NONE,
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          2,
          3,
          0,
          "LOADBALANCER",
          "ANY-SCP",
          "",
          "",
          "NMD^N02",
          "",
          HttpGet.DEFAULT,
          CheckTls.DEFAULT);

  public HealthCheck {
    requireNonNull(type, "type");
    requireNonNull(interval, "interval");
    requireNonNull(timeout, "timeout");
    requireNonNull(callingAeTitle, "callingAeTitle");
    requireNonNull(calledAeTitle, "calledAeTitle");
    requireNonNull(hl7ReceivingApplication, "hl7ReceivingApplication");
    requireNonNull(hl7ReceivingFacility, "hl7ReceivingFacility");
    requireNonNull(hl7MessageType, "hl7MessageType");
    requireNonNull(script, "script");
    requireNonNull(http, "http");
    requireNonNull(tls, "tls");
  }

  /** Whether this check speaks TLS to the real server. */
  public boolean usesTls() {
    return type == CheckType.HTTPS_GET || (type == CheckType.DICOM_ECHO && tls.enabled());
  }
}
