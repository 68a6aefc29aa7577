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
 * @param traps where status changes go as notifications
 * @param engineId the SNMPv3 engine ID in hex (no 0x); empty: derived from the host's name, so it
 *     stays the same across restarts (a v3 receiver knows the sender's keys by it)
 */
public record SnmpSettings(
    InetSocketAddress listen,
    Optional<String> community,
    List<User> users,
    List<Trap> traps,
    Optional<String> engineId) {
  public static final int TRAP_PORT = 162;

  public static final int DEFAULT_PORT = 161;

  /** An SNMPv3 user and its two secrets. */
  public record User(String name, String authPassword, String privPassword) {
    @Override
    public String toString() {
      return "User[" + name + "]";
    }
  }

  /**
   * A notification receiver: SNMPv2c with the community, or SNMPv3 authPriv as {@code user} (one of
   * the users) when given.
   */
  public record Trap(InetSocketAddress address, Optional<String> user) {
    public Trap {
      requireNonNull(address, "address");
      requireNonNull(user, "user");
    }

    /** An SNMPv2c receiver. */
    public Trap(InetSocketAddress address) {
      this(address, Optional.empty());
    }
  }

  public SnmpSettings {
    requireNonNull(listen, "listen");
    requireNonNull(community, "community");
    users = List.copyOf(users);
    traps = List.copyOf(traps);
    requireNonNull(engineId, "engineId");
  }

  /** An agent that sends no notifications. */
  public SnmpSettings(InetSocketAddress listen, Optional<String> community, List<User> users) {
    this(listen, community, users, List.of(), Optional.empty());
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
