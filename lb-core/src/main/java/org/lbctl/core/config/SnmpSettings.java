package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The node's read-only SNMP agent (never replicated). No community and no user exist unless
 * configured, each secret read from a file of its own.
 *
 * @param community the v2c community; empty: v2c is not answered
 * @param users SNMPv3 users, authPriv only (HMAC-SHA-256 and AES-128)
 * @param traps where status changes go as SNMPv2c notifications (with the community)
 */
public record SnmpSettings(
    InetSocketAddress listen,
    Optional<String> community,
    List<User> users,
    List<InetSocketAddress> traps) {
  public static final int TRAP_PORT = 162;

  public static final int DEFAULT_PORT = 161;

  /** An SNMPv3 user and its two secrets. */
  public record User(String name, String authPassword, String privPassword) {
    @Override
    public String toString() {
      return "User[" + name + "]";
    }
  }

  public SnmpSettings {
    requireNonNull(listen, "listen");
    requireNonNull(community, "community");
    users = List.copyOf(users);
    traps = List.copyOf(traps);
  }

  /** An agent that sends no notifications. */
  public SnmpSettings(InetSocketAddress listen, Optional<String> community, List<User> users) {
    this(listen, community, users, List.of());
  }

  @Override
  public String toString() {
    return "SnmpSettings[listen="
        + listen
        + ", v2c="
        + community.isPresent()
        + ", users="
        + users
        + "]";
  }
}
