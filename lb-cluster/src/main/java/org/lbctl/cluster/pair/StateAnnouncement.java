package org.lbctl.cluster.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.config.PairRole;

/**
 * What a node tells its peer about itself: its heartbeat, sent ten times a second and on every
 * change.
 *
 * @param handover the sender gave up the active role on purpose: the receiver takes it now
 * @param config the version of the replicated configuration the sender runs
 * @param floatingIpsOwned the floating IPs the sender holds
 * @param term the highest activation term the sender has seen; an active sender became active at
 *     this term
 * @param incarnation a random number per process start: sequence numbers count within it
 * @param seq grows with every announcement of this incarnation, so a late one is recognised
 * @param echo the last {@code seq} the sender received from the receiver: an announcement whose
 *     echo is at least N was written after the sender heard the receiver's announcement N
 * @param echoIncarnation the receiver's incarnation that {@code echo} counts in
 * @param leaseMillis the sender's fence lease (0 when it runs unfenced)
 * @param answering an active sender's kernel answers for its addresses (its fence is open)
 * @param probe the sender asks for an answer at once (its view just dropped the receiver)
 */
public record StateAnnouncement(
    PairRole role,
    PairState state,
    boolean handover,
    ConfigVersion config,
    List<String> floatingIpsOwned,
    long term,
    long incarnation,
    long seq,
    long echo,
    long echoIncarnation,
    long leaseMillis,
    boolean answering,
    boolean probe) {
  public static final String TYPE = "state";
  private static final ObjectMapper JSON = new ObjectMapper();

  public StateAnnouncement {
    floatingIpsOwned = List.copyOf(floatingIpsOwned);
  }

  public byte[] toBytes() {
    try {
      ObjectNode n =
          JSON.createObjectNode()
              .put("type", TYPE)
              .put("role", role.configName())
              .put("state", state.displayName())
              .put("handover", handover)
              .put("configVersion", config.number())
              .put("configHash", config.hash())
              .put("term", term)
              .put("incarnation", incarnation)
              .put("seq", seq)
              .put("echo", echo)
              .put("echoIncarnation", echoIncarnation)
              .put("leaseMillis", leaseMillis)
              .put("answering", answering)
              .put("probe", probe);
      floatingIpsOwned.forEach(n.putArray("floatingIpsOwned")::add);
      return JSON.writeValueAsBytes(n);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write a state announcement", e);
    }
  }

  /** Reads a message; a message of another type or a malformed one is refused. */
  public static StateAnnouncement parse(byte[] bytes) throws IOException {
    return from(JSON.readTree(bytes));
  }

  public static StateAnnouncement from(JsonNode n) throws IOException {
    if (n == null || !TYPE.equals(n.path("type").asText())) {
      throw new IOException("not a state announcement");
    }
    try {
      List<String> owned = new ArrayList<>();
      n.path("floatingIpsOwned").forEach(ip -> owned.add(ip.asText()));
      if (owned.size() > 4096) {
        throw new IOException("a state announcement with " + owned.size() + " floating IPs");
      }
      PairState state = PairState.valueOf(n.path("state").asText().toUpperCase(Locale.ROOT));
      return new StateAnnouncement(
          PairRole.valueOf(n.path("role").asText().toUpperCase(Locale.ROOT)),
          state,
          n.path("handover").asBoolean(false),
          new ConfigVersion(n.path("configVersion").asLong(0), n.path("configHash").asText("")),
          owned,
          Math.max(0, n.path("term").asLong(0)),
          n.path("incarnation").asLong(0),
          n.path("seq").asLong(0),
          n.path("echo").asLong(0),
          n.path("echoIncarnation").asLong(0),
          Math.max(0, Math.min(60_000, n.path("leaseMillis").asLong(0))),
          n.path("answering").asBoolean(state == PairState.ACTIVE),
          n.path("probe").asBoolean(false));
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed state announcement", e);
    }
  }
}
