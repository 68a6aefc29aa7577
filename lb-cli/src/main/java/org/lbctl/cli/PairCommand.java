package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(
    name = "pair",
    description = {
      "Make two running nodes a pair, or undo it. Until the HTTPS API exists, the node that",
      "becomes the secondary proves itself with a one-time token:",
      "  on the secondary:  lbctl pair --accept --listen 10.99.0.12",
      "                     (prints a token; valid 10 minutes, one use)",
      "  on the primary:    lbctl pair --peer 10.99.0.12 --token TOKEN --ping-target 10.99.0.1",
      "The primary sends a fresh pair secret sealed under the token, both nodes write pair.yaml",
      "and pair.secret beside their configuration file, start the pair, and the primary's",
      "configuration replaces the secondary's. A peer with virtual services of its own is",
      "refused unless --force.",
      "  lbctl pair --break  (on either node) ends the pair on both; the active node keeps its",
      "                     floating IPs and both run alone."
    })
final class PairCommand extends ApiCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--accept",
      description = "Offer this lone node to a primary: print a one-time token.")
  boolean accept;

  @Option(
      names = "--listen",
      paramLabel = "ADDR[:PORT]",
      description =
          "With --accept: this node's address that the primary reaches; the pair port (TCP for"
              + " pairing, UDP for the pair), 6694 unless given.")
  String listen;

  @Option(
      names = "--peer",
      paramLabel = "ADDR[:PORT]",
      description = "Pair this node, as the primary, with the node that printed the token.")
  String peer;

  @Option(names = "--token", paramLabel = "TOKEN", description = "The peer's token.")
  String token;

  @Option(
      names = "--ping-target",
      paramLabel = "IP",
      description =
          "Repeatable. An address (the gateway) of which one must answer before a node takes over:"
              + " an isolated node then keeps its hands off the floating IPs.")
  List<String> pingTargets = new ArrayList<>();

  @Option(
      names = "--no-ping-targets",
      description = "Take over without asking the network (not recommended).")
  boolean noPingTargets;

  @Option(
      names = "--bind",
      paramLabel = "ADDR[:PORT]",
      description = "This node's pair address (default: the address that routes to the peer).")
  String bind;

  @Option(
      names = "--interface",
      paramLabel = "DEV",
      description = "Where the floating IPs live (default: the interface of the pair address).")
  String device;

  @Option(names = "--failback", description = "A recovered primary takes the active role back.")
  boolean failback;

  @Option(
      names = "--break",
      description = "End the pair on both nodes; each runs alone afterwards.")
  boolean breakPair;

  @Option(
      names = "--force",
      description =
          "With --peer: replace the peer's own virtual services. With --break: also when the"
              + " peer is absent (it keeps its pair settings; break it there too before it starts).")
  boolean force;

  @Override
  public Integer call() {
    int modes = (accept ? 1 : 0) + (peer != null ? 1 : 0) + (breakPair ? 1 : 0);
    if (modes != 1) {
      throw usage("give exactly one of --accept, --peer ADDR or --break");
    }
    if (accept) {
      return accept();
    }
    if (breakPair) {
      return breakPair();
    }
    return pair();
  }

  private int accept() {
    if (listen == null) {
      throw usage("--accept needs --listen ADDR: this node's address that the primary reaches");
    }
    rejectWith("--accept", token != null, "--token");
    rejectWith("--accept", force, "--force");
    JsonNode offer = call("POST", "/v1/pair/accept", body().put("listen", listen).toString());
    if (api.json()) {
      printJson(offer);
      return 0;
    }
    OfferText.print(
        out(),
        offer,
        "This node waits to be paired",
        "the primary",
        "lbctl pair --peer %s --token %s --ping-target <gateway>");
    return 0;
  }

  private int pair() {
    if (token == null) {
      throw usage("--peer needs --token: the token `lbctl pair --accept` printed on the peer");
    }
    if (pingTargets.isEmpty() != noPingTargets) {
      throw usage(
          noPingTargets
              ? "give --ping-target or --no-ping-targets, not both"
              : "give at least one --ping-target (the gateway), so that a node cut off from the"
                  + " network does not take the floating IPs; or --no-ping-targets to take over"
                  + " without asking");
    }
    ObjectNode body = body().put("peer", peer).put("token", token);
    pingTargets.forEach(body.putArray("pingTargets")::add);
    if (noPingTargets) {
      body.putArray("pingTargets");
    }
    if (bind != null) {
      body.put("bind", bind);
    }
    if (device != null) {
      body.put("interface", device);
    }
    body.put("failback", failback).put("force", force);
    JsonNode s = call("POST", "/v1/pair", body.toString());
    if (api.json()) {
      printJson(s);
      return 0;
    }
    JsonNode p = s.path("pair");
    out()
        .printf(
            "paired: this node is the primary (%s); the secondary is %s.%n"
                + "The pair's settings and secret are in pair.yaml and pair.secret beside %s.%n"
                + "`lbctl status` shows both nodes; the secondary takes configuration v%s.%n",
            p.path("state").asText(),
            p.path("peer").path("address").asText(),
            s.path("configSource").asText(),
            s.path("configVersion").asText());
    out().flush();
    return 0;
  }

  private int breakPair() {
    rejectWith("--break", token != null, "--token");
    JsonNode s = call("POST", "/v1/pair/break", body().put("force", force).toString());
    if (api.json()) {
      printJson(s);
      return 0;
    }
    out().println("pair broken: this node runs alone now (its pair.yaml and pair.secret are gone)");
    out().flush();
    return 0;
  }

  private void rejectWith(String mode, boolean given, String option) {
    if (given) {
      throw usage(option + " does not go with " + mode);
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private static ObjectNode body() {
    return JSON.createObjectNode();
  }
}
