package org.lbctl.core.health;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How checks that run programs ({@code ping}, {@code external}) run them.
 *
 * @param execPrefix run every program under this (e.g. {@code ip netns exec NS} in a lab); empty on
 *     a real node
 * @param scripts the directory of the node's external check scripts; empty when it has none
 */
public record CheckCommands(List<String> execPrefix, Optional<Path> scripts) {
  public static final CheckCommands LOCAL = new CheckCommands(List.of(), Optional.empty());

  public CheckCommands {
    execPrefix = List.copyOf(execPrefix);
  }
}
