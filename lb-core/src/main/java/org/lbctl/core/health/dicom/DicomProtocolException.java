package org.lbctl.core.health.dicom;

/** An answer that is not the DICOM the check expects, with what was wrong. */
public final class DicomProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  public DicomProtocolException(String message) {
    super(message);
  }
}
