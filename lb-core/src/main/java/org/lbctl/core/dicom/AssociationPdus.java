package org.lbctl.core.dicom;

/** The answers a load balancer gives an association itself (PS3.8 sections 9.3.4 and 9.3.8). */
public final class AssociationPdus {
  /** A-ASSOCIATE-RJ result: rejected-permanent. */
  public static final int REJECTED_PERMANENT = 1;

  /** A-ASSOCIATE-RJ source: DICOM UL service-user. */
  public static final int SERVICE_USER = 1;

  /** Service-user reasons: calling AE title not recognised. */
  public static final int CALLING_AE_NOT_RECOGNIZED = 3;

  /** Service-user reasons: called AE title not recognised. */
  public static final int CALLED_AE_NOT_RECOGNIZED = 7;

  /** A-ASSOCIATE-RJ result: rejected-transient (the caller may try again later). */
  public static final int REJECTED_TRANSIENT = 2;

  /** A-ASSOCIATE-RJ source: DICOM UL service-provider, presentation related function. */
  public static final int SERVICE_PROVIDER_PRESENTATION = 3;

  /** Presentation-related reasons: temporary congestion. */
  public static final int TEMPORARY_CONGESTION = 1;

  /** A-ABORT source: DICOM UL service-provider (initiated). */
  public static final int SERVICE_PROVIDER = 2;

  private AssociationPdus() {}

  /** A-ASSOCIATE-RJ, rejected-permanent by the service user for {@code reason}. */
  public static byte[] reject(int reason) {
    return associateReject(REJECTED_PERMANENT, SERVICE_USER, reason);
  }

  /**
   * A-ASSOCIATE-RJ, rejected-transient for temporary congestion: no server of the pool can take the
   * association now, so the modality retries later instead of reporting a broken connection.
   */
  public static byte[] busy() {
    return associateReject(REJECTED_TRANSIENT, SERVICE_PROVIDER_PRESENTATION, TEMPORARY_CONGESTION);
  }

  private static byte[] associateReject(int result, int source, int reason) {
    return new byte[] {0x03, 0, 0, 0, 0, 4, 0, (byte) result, (byte) source, (byte) reason};
  }

  /** A-ABORT by the service provider for {@code reason}. */
  public static byte[] abort(int reason) {
    return new byte[] {0x07, 0, 0, 0, 0, 4, 0, 0, (byte) SERVICE_PROVIDER, (byte) reason};
  }
}
