package org.lbctl.core.backup;

/** A backup that cannot be opened or restored, and why; nothing was changed. */
public final class BackupException extends Exception {
  private static final long serialVersionUID = 1L;

  public BackupException(String message) {
    super(message);
  }
}
