package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * How a DICOM virtual service admits associations, from the A-ASSOCIATE-RQ.
 *
 * @param routes tried in order; the first that matches the Called (and Calling) AE title decides
 *     the pool
 * @param defaultServers the pool of an association no route matches; empty: such an association is
 *     rejected (called AE title not recognised)
 * @param callingAeTitles the Calling AE titles admitted; empty: any
 */
public record DicomRouting(
    List<AeRoute> routes, Optional<List<String>> defaultServers, List<String> callingAeTitles) {
  public DicomRouting {
    routes = List.copyOf(routes);
    requireNonNull(defaultServers, "defaultServers");
    defaultServers = defaultServers.map(List::copyOf);
    callingAeTitles = List.copyOf(callingAeTitles);
  }
}
