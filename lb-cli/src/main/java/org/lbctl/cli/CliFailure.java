package org.lbctl.cli;

/** A command failed for a reason the operator can act on; printed without a stack trace. */
final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliFailure(String message) {
    super(message);
  }
}
