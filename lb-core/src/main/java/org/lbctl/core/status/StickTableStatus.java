package org.lbctl.core.status;

import java.util.List;

/**
 * One virtual service's stick table, as {@code lbctl stick show} prints it.
 *
 * @param persistence the mode (none, source-ip, last-successful)
 * @param timeout how long an entry lives after its last use
 */
public record StickTableStatus(
    String virtualService, String persistence, String timeout, List<Entry> entries) {
  /**
   * @param key the client's address (or subnet), or {@code *} for last-successful
   * @param server the real server's label
   * @param expiresAt ISO-8601
   */
  public record Entry(String key, String server, String expiresAt) {}
}
