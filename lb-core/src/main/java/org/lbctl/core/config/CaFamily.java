package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Certificate authorities trusted together, by name (the guides' "CA Certificate: mTLS"). */
public record CaFamily(String name, List<String> files) {
  public CaFamily {
    requireNonNull(name, "name");
    files = List.copyOf(files);
  }
}
