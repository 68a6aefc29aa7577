package org.lbctl.core.dicom;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lbctl.core.audit.LogText;
import org.lbctl.core.config.AeRoute;
import org.lbctl.core.config.DicomRouting;
import org.lbctl.core.config.Network;

/** Decides, from an A-ASSOCIATE-RQ's AE titles, which pool takes it or why it is rejected. */
public final class AssociationRouter {
  /** The decision for one association. */
  public sealed interface Decision {}

  /**
   * Route to one of {@code servers}.
   *
   * @param scope what the association's persistence entry is kept under beside the client, so a
   *     modality calling two archives sticks to a server of each
   */
  public record Route(Set<String> servers, String scope) implements Decision {}

  /** Answer A-ASSOCIATE-RJ with {@code reason}; {@code why} is for the log. */
  public record Reject(AssociationOutcome outcome, int reason, String why) implements Decision {}

  /** A route with what matching needs, worked out once per configuration version. */
  private record Compiled(AeRoute route, List<Network> sources, Set<String> servers) {
    boolean from(java.net.InetAddress client) {
      return sources.isEmpty() || sources.stream().anyMatch(n -> n.contains(client));
    }
  }

  private final Optional<DicomRouting> routing;
  private final Set<String> everyServer;
  private final List<Compiled> routes;
  private final Optional<Set<String>> defaultServers;

  /**
   * @param routing empty: every association goes to any of the service's servers
   * @param everyServer the service's real-server labels
   */
  public AssociationRouter(Optional<DicomRouting> routing, List<String> everyServer) {
    this.routing = routing;
    this.everyServer = Set.copyOf(everyServer);
    // The configuration was validated: every source parses.
    this.routes =
        routing.map(DicomRouting::routes).orElse(List.of()).stream()
            .map(
                r ->
                    new Compiled(
                        r,
                        r.sources().stream().flatMap(t -> Network.parse(t).stream()).toList(),
                        Set.copyOf(r.servers())))
            .toList();
    this.defaultServers = routing.flatMap(DicomRouting::defaultServers).map(Set::copyOf);
  }

  public Decision decide(AssociateRequest rq, java.net.InetAddress client) {
    if (routing.isEmpty()) {
      return new Route(everyServer, "");
    }
    DicomRouting r = routing.get();
    // Persistence scopes: no AE title holds a backslash.
    String calling = r.persistByCallingAe() ? "\\" + rq.callingAeTitle() : "";
    if (!r.callingAeTitles().isEmpty() && !r.callingAeTitles().contains(rq.callingAeTitle())) {
      return new Reject(
          AssociationOutcome.REJECTED_CALLING_AE,
          AssociationPdus.CALLING_AE_NOT_RECOGNIZED,
          "calling AE title "
              + "'"
              + LogText.name(rq.callingAeTitle())
              + "'"
              + " is not on the allow-list");
    }
    for (Compiled c : routes) {
      if (c.route().matchesTitles(rq.calledAeTitle(), rq.callingAeTitle()) && c.from(client)) {
        return new Route(c.servers(), rq.calledAeTitle() + calling);
      }
    }
    if (defaultServers.isPresent()) {
      return new Route(defaultServers.get(), calling);
    }
    return new Reject(
        AssociationOutcome.REJECTED_CALLED_AE,
        AssociationPdus.CALLED_AE_NOT_RECOGNIZED,
        "no route for called AE title " + "'" + LogText.name(rq.calledAeTitle()) + "'");
  }
}
