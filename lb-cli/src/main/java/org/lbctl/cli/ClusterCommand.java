package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(
    name = "cluster",
    description = {
      "Add a node to a cluster, or take one out. A member vouches for the new node with a",
      "one-time token:",
      "  on a member:    lbctl cluster invite        (prints a token; 10 minutes, one use)",
      "  on the node:    lbctl cluster join --peer 10.99.0.11 --token TOKEN --name lb4",
      "The member adds the node to the configuration's member list (a version every member",
      "runs) and hands it the cluster secret and the configuration; the node writes cluster.yaml",
      "and cluster.secret beside its configuration file and takes groups once every member has",
      "heard it. A node with virtual services of its own is refused unless --force.",
      "  lbctl cluster leave         this member hands its groups over and runs alone, on an",
      "                              empty configuration (the cluster's is kept beside)",
      "  lbctl cluster remove NAME   takes another member out (one that is gone for good)"
    })
final class ClusterCommand extends ApiCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum Action {
    invite,
    join,
    leave,
    remove
  }

  @Parameters(index = "0", paramLabel = "ACTION", description = "invite, join, leave or remove")
  Action action;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "NAME",
      description = "With remove: the member to take out.")
  String member;

  @Option(
      names = "--listen",
      paramLabel = "ADDR[:PORT]",
      description =
          "With invite: where the new node reaches this member (default: its cluster address).")
  String listen;

  @Option(
      names = "--peer",
      paramLabel = "ADDR[:PORT]",
      description = "With join: the member that printed the token.")
  String peer;

  @Option(names = "--token", paramLabel = "TOKEN", description = "With join: the member's token.")
  String token;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "With join: this node's name among the members (default: its host name).")
  String name;

  @Option(
      names = "--bind",
      paramLabel = "ADDR[:PORT]",
      description =
          "With join: this node's cluster address (default: the one that routes to the peer).")
  String bind;

  @Option(
      names = "--interface",
      paramLabel = "DEV",
      description =
          "With join: where the floating IPs live (default: the bind address's interface).")
  String device;

  @Option(
      names = "--force",
      description =
          "With join: replace this node's own virtual services (its file is kept beside).")
  boolean force;

  @Override
  public Integer call() {
    if (action != Action.remove && member != null) {
      throw usage("only remove takes a member's name");
    }
    if (action != Action.join && (peer != null || token != null || name != null || force)) {
      throw usage("--peer, --token, --name and --force go with join");
    }
    if (action != Action.invite && listen != null) {
      throw usage("--listen goes with invite");
    }
    return switch (action) {
      case invite -> invite();
      case join -> join();
      case leave ->
          show(
              call("POST", "/v1/cluster/leave", "{}"),
              "left the cluster: this node"
                  + " runs alone on an empty configuration (the cluster's is kept beside its file)");
      case remove -> remove();
    };
  }

  private int invite() {
    ObjectNode body = JSON.createObjectNode();
    if (listen != null) {
      body.put("listen", listen);
    }
    JsonNode offer = call("POST", "/v1/cluster/invite", body.toString());
    if (api.json()) {
      printJson(offer);
      return 0;
    }
    OfferText.print(
        out(),
        offer,
        "This member waits for a node to join",
        "the new node",
        "lbctl cluster join --peer %s --token %s --name <its name>");
    return 0;
  }

  private int join() {
    if (peer == null || token == null) {
      throw usage(
          "join needs --peer ADDR and --token TOKEN: the member and the token that"
              + " `lbctl cluster invite` printed there");
    }
    ObjectNode body = JSON.createObjectNode().put("peer", peer).put("token", token);
    if (name != null) {
      body.put("name", name);
    }
    if (bind != null) {
      body.put("bind", bind);
    }
    if (device != null) {
      body.put("interface", device);
    }
    body.put("force", force);
    JsonNode s = call("POST", "/v1/cluster/join", body.toString());
    return show(
        s,
        "joined: this node is member '"
            + s.path("cluster").path("self").asText()
            + "' of the cluster; cluster.yaml and cluster.secret are beside "
            + s.path("configSource").asText()
            + ". `lbctl status` shows the members and the groups this node takes");
  }

  private int remove() {
    if (member == null) {
      throw usage("remove needs the member's NAME");
    }
    JsonNode s =
        call(
            "POST", "/v1/cluster/remove", JSON.createObjectNode().put("member", member).toString());
    return show(
        s,
        "removed "
            + member
            + " from the members (configuration v"
            + s.path("configVersion").asLong()
            + "); its groups go to the others");
  }

  private int show(JsonNode status, String line) {
    if (api.json()) {
      printJson(status);
      return 0;
    }
    out().println(line);
    out().flush();
    return 0;
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
