package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One routing rule of a DICOM virtual service: associations that call this AE title (and, when
 * given, come from this calling AE title) go to these real servers.
 *
 * @param servers real-server labels of the virtual service, the pool the scheduler picks from
 * @param sources networks (CIDR) the association must come from; empty: any
 */
public record AeRoute(
    String calledAeTitle,
    Optional<String> callingAeTitle,
    List<String> servers,
    List<String> sources) {
  public AeRoute {
    requireNonNull(calledAeTitle, "calledAeTitle");
    requireNonNull(callingAeTitle, "callingAeTitle");
    servers = List.copyOf(servers);
    sources = List.copyOf(sources);
  }

  public AeRoute(String calledAeTitle, Optional<String> callingAeTitle, List<String> servers) {
    this(calledAeTitle, callingAeTitle, servers, List.of());
  }

  /** Whether an association with these (trimmed) AE titles takes this route, by its titles. */
  public boolean matchesTitles(String called, String calling) {
    return calledAeTitle.equals(called) && callingAeTitle.map(calling::equals).orElse(true);
  }
}
