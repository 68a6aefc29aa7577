package org.lbctl.cluster.joining;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.lbctl.cluster.pairing.PairingException;
import org.lbctl.core.config.ClusterSettings;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.PairSettings;

/**
 * The inviting member's answer: refused with a reason, or the cluster's secret, its members (the
 * new one among them) and the configuration version that lists them. Travels sealed.
 *
 * @param member the inviting member's name, for the log
 */
public record JoinAnswer(
    boolean accepted,
    String reason,
    String member,
    List<ClusterSettings.Member> members,
    String secret,
    ConfigVersion version,
    byte[] document) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public JoinAnswer {
    members = List.copyOf(members);
    document = document.clone();
  }

  static JoinAnswer refused(String reason, String member) {
    return new JoinAnswer(
        false, reason, member, List.of(), "", new ConfigVersion(0, ""), new byte[0]);
  }

  byte[] toBytes() {
    ObjectNode n = JSON.createObjectNode();
    n.put("accepted", accepted);
    n.put("reason", reason);
    n.put("member", member);
    var list = n.putArray("members");
    members.forEach(
        m -> list.addObject().put("name", m.name()).put("address", Endpoints.format(m.address())));
    n.put("secret", secret);
    n.put("version", version.number());
    n.put("hash", version.hash());
    n.put("document", new String(document, StandardCharsets.UTF_8));
    try {
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws PairingException when the answer is not one (not JSON, an accepted answer without its
   *     secret, members or configuration)
   */
  static JoinAnswer from(byte[] bytes) throws PairingException {
    JsonNode n;
    try {
      n = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new PairingException("the member's answer is not JSON: " + e.getMessage());
    }
    if (n == null || !n.isObject()) {
      throw new PairingException("the member's answer is not a JSON object");
    }
    boolean accepted = n.path("accepted").asBoolean(false);
    String member = n.path("member").asText("");
    if (!accepted) {
      return refused(n.path("reason").asText("no reason given"), member);
    }
    List<ClusterSettings.Member> members = new ArrayList<>();
    for (JsonNode m : n.path("members")) {
      Optional<InetSocketAddress> a =
          Endpoints.parse(m.path("address").asText(""), PairSettings.DEFAULT_PORT);
      if (m.path("name").asText("").isEmpty() || a.isEmpty()) {
        throw new PairingException("the member's answer names a member without a name or address");
      }
      members.add(new ClusterSettings.Member(m.path("name").asText(), a.get()));
    }
    String secret = n.path("secret").asText("");
    long version = n.path("version").asLong(0);
    String hash = n.path("hash").asText("");
    String document = n.path("document").asText("");
    if (members.size() < 3
        || secret.length() < org.lbctl.cluster.pair.PairSecret.MIN_LENGTH
        || version <= 0
        || hash.isEmpty()) {
      throw new PairingException(
          "the member's answer lacks the members, the secret or the configuration version");
    }
    return new JoinAnswer(
        true,
        "",
        member,
        members,
        secret,
        new ConfigVersion(version, hash),
        document.getBytes(StandardCharsets.UTF_8));
  }

  /** Never the secret. */
  @Override
  public String toString() {
    return "JoinAnswer[accepted="
        + accepted
        + ", member="
        + member
        + ", members="
        + members.stream().map(ClusterSettings.Member::name).toList()
        + ", version="
        + version
        + "]";
  }
}
