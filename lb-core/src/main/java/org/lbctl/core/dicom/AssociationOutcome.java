package org.lbctl.core.dicom;

/** What became of an association a DICOM virtual service was offered, counted per service. */
public enum AssociationOutcome {
  /** Sent on to a real server of the pool its AE titles chose. */
  ROUTED("routed"),
  /** A-ASSOCIATE-RJ: no route for its Called AE title and no default pool. */
  REJECTED_CALLED_AE("rejected_called_ae"),
  /** A-ASSOCIATE-RJ: its Calling AE title is not on the allow-list. */
  REJECTED_CALLING_AE("rejected_calling_ae"),
  /** A-ABORT: the first PDU was not a well-formed A-ASSOCIATE-RQ. */
  MALFORMED("malformed_pdu"),
  /** Closed, or timed out, before a whole A-ASSOCIATE-RQ arrived. */
  INCOMPLETE("incomplete"),
  /**
   * Of the routed ones: A-ASSOCIATE-RJ rejected-transient from lbctl, since no server of its pool
   * could take it (all down, halted, drained or full) and there is no fallback server.
   */
  REJECTED_NO_SERVER("rejected_no_server"),
  /** Of the routed ones: the server answered A-ASSOCIATE-AC. */
  ACCEPTED("accepted"),
  /** Of the routed ones: the server answered A-ASSOCIATE-RJ. */
  REJECTED_BY_SERVER("rejected_by_server"),
  /** Of the routed ones: the server answered A-ABORT, or something that is no answer. */
  ABORTED_BY_SERVER("aborted_by_server");

  private final String label;

  AssociationOutcome(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
