package org.lbctl.core.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a management user may do, each role all that the one before it may. A viewer reads; an
 * operator also drains, halts and brings back real servers, clears stick tables and fails the pair
 * over (the night shift's work); an admin also edits the configuration, the users and the pair.
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** As the API, the CLI and the files write it. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean allows(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The lesser of two roles: what a token of a user may do. */
  public Role atMost(Role other) {
    return compareTo(other) <= 0 ? this : other;
  }

  public static Optional<Role> parse(String word) {
    return Arrays.stream(values()).filter(r -> r.word().equals(word)).findFirst();
  }

  /** For messages: "viewer, operator or admin". */
  public static String words() {
    return Arrays.stream(values()).map(Role::word).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return word();
  }
}
