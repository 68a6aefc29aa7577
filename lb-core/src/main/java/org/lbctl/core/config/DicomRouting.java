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
 * @param serverAeTitles by real-server label, the AE title that server answers to: an association
 *     routed there calls it instead of the title the client called (and the client reads its own
 *     title back in the A-ASSOCIATE-AC)
 * @param persistByCallingAe source-IP persistence keeps an entry per client, Called AE title and
 *     Calling AE title (several modalities behind one address each stick on their own)
 */
public record DicomRouting(
    List<AeRoute> routes,
    Optional<List<String>> defaultServers,
    List<String> callingAeTitles,
    java.util.Map<String, String> serverAeTitles,
    boolean persistByCallingAe) {
  public DicomRouting {
    routes = List.copyOf(routes);
    requireNonNull(defaultServers, "defaultServers");
    defaultServers = defaultServers.map(List::copyOf);
    callingAeTitles = List.copyOf(callingAeTitles);
    serverAeTitles = java.util.Map.copyOf(serverAeTitles);
  }

  public DicomRouting(
      List<AeRoute> routes, Optional<List<String>> defaultServers, List<String> callingAeTitles) {
    this(routes, defaultServers, callingAeTitles, java.util.Map.of(), false);
  }
}
