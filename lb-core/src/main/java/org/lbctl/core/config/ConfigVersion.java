package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * One version of the replicated configuration: a number that only the node accepting edits raises,
 * and the hash of what that version contains.
 *
 * @param number 1, 2, ...; 0 for a configuration no editing node has numbered (a secondary that has
 *     not heard from its primary yet)
 * @param hash {@link ConfigHash} of the configuration
 */
public record ConfigVersion(long number, String hash) {
  public ConfigVersion {
    if (number < 0) {
      throw new IllegalArgumentException("version number " + number + " < 0");
    }
    requireNonNull(hash, "hash");
  }

  /** The next version, with another content. */
  public ConfigVersion next(String nextHash) {
    return new ConfigVersion(number + 1, nextHash);
  }

  public String shortHash() {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }

  /** {@code v7 (3fa4c1d09b2e)}, as the log and the status show it. */
  @Override
  public String toString() {
    return "v" + number + " (" + shortHash() + ")";
  }
}
