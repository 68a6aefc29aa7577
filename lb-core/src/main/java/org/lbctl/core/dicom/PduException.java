package org.lbctl.core.dicom;

/**
 * A PDU that breaks PS3.8: the association is aborted with this A-ABORT reason (source: service
 * provider) and the connection closed.
 */
public final class PduException extends Exception {
  /** PS3.8 table 9-26 reasons. */
  public static final int UNRECOGNIZED_PDU = 1;

  public static final int UNEXPECTED_PDU = 2;
  public static final int INVALID_PARAMETER_VALUE = 6;

  private final int abortReason;

  public PduException(String message, int abortReason) {
    super(message, null, false, false);
    this.abortReason = abortReason;
  }

  public int abortReason() {
    return abortReason;
  }
}
