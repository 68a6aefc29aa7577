package org.lbctl.core.proxy;

import java.util.List;

/** What applying a configuration did to the listening sockets ({@code address:port} each). */
public record ListenerChanges(List<String> added, List<String> removed, List<String> kept) {
  public ListenerChanges {
    added = List.copyOf(added);
    removed = List.copyOf(removed);
    kept = List.copyOf(kept);
  }
}
