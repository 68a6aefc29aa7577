package org.lbctl.core.auth;

/**
 * Who made a management request, for permission checks and the audit log.
 *
 * @param user the management user, or the local account on the Unix socket ({@code uid 0})
 * @param from where the request came from: an address, or {@code unix socket}
 * @param via how the caller proved who it is: {@code socket}, {@code password}, {@code token},
 *     {@code session}
 * @param mayChange false for read-only tokens (e.g. a Prometheus scraper's)
 * @param role what the caller may do; the node's own account on the socket is an admin
 */
public record Caller(String user, String from, String via, boolean mayChange, Role role) {
  /** The local Unix socket: its file permissions are the authentication. */
  public static Caller socket(String account) {
    return new Caller(account, "unix socket", "socket", true, Role.ADMIN);
  }

  @Override
  public String toString() {
    return user + " (" + role + ") from " + from;
  }
}
