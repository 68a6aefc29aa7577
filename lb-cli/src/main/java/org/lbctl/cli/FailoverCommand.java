package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "failover",
    description = {
      "Hand the active role to the peer on purpose (the guides' manual failover test).",
      "Run it on the active node: it stops serving and gives up its floating IPs; the peer",
      "takes them over at once.",
      "--drill also connects to every VIP from this host until each answers through the peer,",
      "and reports the takeover time."
    })
final class FailoverCommand extends ApiCommand {
  @Option(
      names = "--drill",
      description = "Measure: connect to each VIP until it answers through the peer.")
  boolean drill;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "How long --drill waits for the VIPs (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws InterruptedException {
    List<InetSocketAddress> vips = List.of();
    if (drill) {
      JsonNode before = call("GET", "/v1/status", null);
      checkReady(before.path("pair"));
      vips = endpoints(before);
    }
    long start = System.nanoTime();
    JsonNode s = call("POST", "/v1/pair/failover", null);
    if (!drill) {
      if (api.json()) {
        printJson(s);
        return 0;
      }
      JsonNode p = s.path("pair");
      out()
          .printf(
              "%s is now %s; the peer takes the active role%n",
              p.path("role").asText(), p.path("state").asText());
      out().flush();
      return 0;
    }
    return report(VipProbe.untilAnswered(vips, start, timeoutSeconds * 1000L));
  }

  private void checkReady(JsonNode pair) {
    if (pair.isMissingNode() || pair.isNull()) {
      throw new CliFailure("this node runs alone: there is no peer to fail over to");
    }
    if (!pair.path("state").asText().equals("active")) {
      throw new CliFailure("this node is passive; run the drill on the active node");
    }
    if (!pair.path("peer").path("present").asBoolean()) {
      throw new CliFailure("the peer is not in the pair; a drill now would leave nobody serving");
    }
    if (pair.path("configDrift").asBoolean()) {
      throw new CliFailure(
          "the peer runs another configuration ("
              + pair.path("configSync").asText()
              + "); drill once both run the same version");
    }
  }

  /** One endpoint per virtual service: its address and first port (wildcards cannot be probed). */
  private static List<InetSocketAddress> endpoints(JsonNode status) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (JsonNode v : status.path("virtualServices")) {
      try {
        InetAddress a = InetAddress.getByName(v.path("address").asText());
        if (!a.isAnyLocalAddress() && !v.path("ports").isEmpty()) {
          out.add(new InetSocketAddress(a, v.path("ports").get(0).asInt()));
        }
      } catch (UnknownHostException e) {
        // An address the node accepted is a literal; nothing to resolve.
      }
    }
    return out;
  }

  private static boolean peerActive(JsonNode pair) {
    return pair.path("peer").path("state").asText().equals("active");
  }

  private int report(Map<InetSocketAddress, OptionalLong> answered) {
    // The VIP may answer through the peer a moment before the peer's heartbeat says so here.
    JsonNode after = call("GET", "/v1/status", null).path("pair");
    for (int i = 0; i < 40 && !peerActive(after); i++) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      after = call("GET", "/v1/status", null).path("pair");
    }
    out().printf("failover drill: this node is now %s%n", after.path("state").asText());
    long worst = 0;
    boolean all = true;
    for (var e : answered.entrySet()) {
      String vip = e.getKey().getAddress().getHostAddress() + ":" + e.getKey().getPort();
      if (e.getValue().isPresent()) {
        worst = Math.max(worst, e.getValue().getAsLong());
        out()
            .printf(
                "  %-24s answered through the peer after %d ms%n", vip, e.getValue().getAsLong());
      } else {
        all = false;
        out().printf("  %-24s NO ANSWER within %d s%n", vip, timeoutSeconds);
      }
    }
    JsonNode peer = after.path("peer");
    out()
        .printf(
            "peer %s (%s) is %s and holds %s%n",
            peer.path("address").asText(),
            peer.path("role").asText(),
            peer.path("state").asText(),
            peer.path("floatingIpsOwned"));
    if (answered.isEmpty()) {
      out().println("no virtual service with an address to probe");
    }
    out().printf("drill: vips=%d answered=%s takeover_ms=%d%n", answered.size(), all, worst);
    out().flush();
    return all ? 0 : 1;
  }
}
