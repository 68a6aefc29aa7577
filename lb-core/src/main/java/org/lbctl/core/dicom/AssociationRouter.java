package org.lbctl.core.dicom;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.lbctl.core.audit.LogText;
import org.lbctl.core.config.AeRoute;
import org.lbctl.core.config.DicomRouting;

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

  private final Optional<DicomRouting> routing;
  private final Set<String> everyServer;

  /**
   * @param routing empty: every association goes to any of the service's servers
   * @param everyServer the service's real-server labels
   */
  public AssociationRouter(Optional<DicomRouting> routing, List<String> everyServer) {
    this.routing = routing;
    this.everyServer = Set.copyOf(everyServer);
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
    for (AeRoute route : r.routes()) {
      if (route.matches(rq.calledAeTitle(), rq.callingAeTitle(), client)) {
        return new Route(Set.copyOf(route.servers()), rq.calledAeTitle() + calling);
      }
    }
    if (r.defaultServers().isPresent()) {
      return new Route(Set.copyOf(r.defaultServers().get()), calling);
    }
    return new Reject(
        AssociationOutcome.REJECTED_CALLED_AE,
        AssociationPdus.CALLED_AE_NOT_RECOGNIZED,
        "no route for called AE title " + "'" + LogText.name(rq.calledAeTitle()) + "'");
  }
}
