package org.lbctl.cluster.groups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a member says to the others, several times a second: the groups it holds, how long its fence
 * lease runs, what it runs, its epoch and the epochs it heard from the others: {@code
 * {"type":"held","groups":["imaging"],"leaseMs":1000,"layout":"…","version":7,"hash":"…",
 * "epoch":0,"echo":{"lb2":1}}}.
 *
 * <p>A member's epoch grows each time it was frozen. After a freeze it counts another member's word
 * only once that word echoes its new epoch: words sent before, still in the buffers, may predate a
 * takeover it never heard of (the others dropped it from their view meanwhile, and tell it nothing
 * until the views merge).
 */
public record GroupWord(
    Set<String> groups,
    long leaseMillis,
    About about,
    long epoch,
    Map<String, Long> echo,
    Set<String> yielding,
    Stamp stamp) {
  /**
   * Which word of which run of the member this is. A run is numbered by the wall clock at its
   * start, so a restarted member's run is the later one. A word that arrives after a later one of
   * the same run (held up behind a gap in the reliable stream while the direct copy came through)
   * is stale and ignored, and so is a word of an earlier run that arrives just after the new run
   * spoke (the old process's last words still on their way).
   */
  public record Stamp(long incarnation, long seq) {
    public static final Stamp NONE = new Stamp(0, 0);

    /**
     * A word of an earlier run this long after the later run spoke is taken after all: the wall
     * clock stepped back across a restart, and the member's new run would otherwise never count.
     */
    static final long EARLIER_RUN_NANOS = org.lbctl.cluster.members.Detection.DETECT_NANOS;

    /**
     * Whether this word is older than {@code last}, the latest taken from the same member, {@code
     * sinceLast} nanoseconds ago.
     */
    boolean olderThan(Stamp last, long sinceLast) {
      if (last == null || seq == 0 || last.seq == 0) {
        return false;
      }
      if (incarnation == last.incarnation) {
        return seq <= last.seq;
      }
      return incarnation < last.incarnation && sinceLast < EARLIER_RUN_NANOS;
    }
  }

  /**
   * What a member runs: the hash of its group layout (members must agree on it before anything
   * moves), and its configuration version and hash, for the status.
   */
  public record About(String layout, long configVersion, String configHash) {
    public static final About NONE = new About("", 0, "");
  }

  static final String HELD_TYPE = "held";
  private static final ObjectMapper JSON = new ObjectMapper();
  // A lease longer than this is a forged or broken word; a member never runs one (10 s at most).
  private static final long MAX_LEASE_MILLIS = 60_000;

  private static final int MAX_TEXT = 128;
  private static final int MAX_GROUPS = 4096;

  // One entry per other member; a cluster has at most 64 (the node file's cluster section).
  private static final int MAX_ECHO = 64;

  public GroupWord {
    groups = Set.copyOf(groups);
    echo = Map.copyOf(echo);
    yielding = Set.copyOf(yielding);
  }

  /** A word that hands nothing over, unstamped. */
  public GroupWord(
      Set<String> groups, long leaseMillis, About about, long epoch, Map<String, Long> echo) {
    this(groups, leaseMillis, about, epoch, echo, Set.of(), Stamp.NONE);
  }

  byte[] encode() {
    ObjectNode m = JSON.createObjectNode().put("type", HELD_TYPE);
    ArrayNode list = m.putArray("groups");
    groups.stream().sorted().forEach(list::add);
    m.put("leaseMs", leaseMillis);
    m.put("layout", about.layout());
    m.put("version", about.configVersion());
    m.put("hash", about.configHash());
    m.put("epoch", epoch);
    ObjectNode echoed = m.putObject("echo");
    new java.util.TreeMap<>(echo).forEach(echoed::put);
    if (stamp.seq() != 0) {
      m.put("inc", stamp.incarnation()).put("seq", stamp.seq());
    }
    if (!yielding.isEmpty()) {
      ArrayNode handed = m.putArray("yielding");
      yielding.stream().sorted().forEach(handed::add);
    }
    try {
      return JSON.writeValueAsBytes(m);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] of(
      Collection<String> groups,
      long leaseMillis,
      About about,
      long epoch,
      Map<String, Long> echo) {
    return of(groups, leaseMillis, about, epoch, echo, Set.of(), Stamp.NONE);
  }

  /** ... handing {@code yielding} over to the others (an operator's failover). */
  static byte[] of(
      Collection<String> groups,
      long leaseMillis,
      About about,
      long epoch,
      Map<String, Long> echo,
      Set<String> yielding,
      Stamp stamp) {
    return new GroupWord(
            new LinkedHashSet<>(groups), leaseMillis, about, epoch, echo, yielding, stamp)
        .encode();
  }

  /**
   * The word in {@code bytes}; empty for another kind of message.
   *
   * @throws IOException naming what is wrong with a malformed word: it must be ignored, not read as
   *     "holds nothing", which would let the others take what the member may hold
   */
  static Optional<GroupWord> decode(byte[] bytes) throws IOException {
    JsonNode m = JSON.readTree(bytes);
    if (m == null || !HELD_TYPE.equals(m.path("type").asText())) {
      return Optional.empty();
    }
    JsonNode list = m.get("groups");
    if (list == null || !list.isArray()) {
      throw new IOException("a 'held' message without a list of groups");
    }
    if (list.size() > MAX_GROUPS) {
      throw new IOException("a 'held' message with " + list.size() + " groups");
    }
    Set<String> groups = names(list);
    JsonNode handed = m.get("yielding");
    if (handed != null && (!handed.isArray() || handed.size() > MAX_GROUPS)) {
      throw new IOException("a 'held' message with a bad list of groups handed over");
    }
    Set<String> yielding = handed == null ? Set.of() : names(handed);
    // Required: without it the others could not know how long this member's addresses answer.
    JsonNode lease = m.get("leaseMs");
    if (lease == null
        || !lease.isIntegralNumber()
        || !lease.canConvertToLong()
        || lease.asLong() < 0
        || lease.asLong() > MAX_LEASE_MILLIS) {
      throw new IOException("a 'held' message with a lease of " + lease + " ms");
    }
    long leaseMillis = lease.asLong();
    JsonNode version = m.get("version");
    if (version != null
        && (!version.isIntegralNumber() || !version.canConvertToLong() || version.asLong() < 0)) {
      throw new IOException("a 'held' message with a configuration version of " + version);
    }
    About about =
        new About(text(m, "layout"), version == null ? 0 : version.asLong(), text(m, "hash"));
    JsonNode epoch = m.get("epoch");
    if (epoch != null
        && (!epoch.isIntegralNumber() || !epoch.canConvertToLong() || epoch.asLong() < 0)) {
      throw new IOException("a 'held' message with an epoch of " + epoch);
    }
    Map<String, Long> echo = new java.util.HashMap<>();
    JsonNode e = m.get("echo");
    if (e != null) {
      if (!e.isObject() || e.size() > MAX_ECHO) {
        throw new IOException("a 'held' message with a bad echo");
      }
      for (var it = e.fields(); it.hasNext(); ) {
        var f = it.next();
        if (f.getKey().length() > MAX_TEXT
            || !f.getValue().isIntegralNumber()
            || !f.getValue().canConvertToLong()) {
          throw new IOException("a 'held' message with a bad echo");
        }
        echo.put(f.getKey(), f.getValue().asLong());
      }
    }
    JsonNode inc = m.get("inc");
    JsonNode seq = m.get("seq");
    Stamp stamp = Stamp.NONE;
    if (inc != null || seq != null) {
      if (inc == null
          || seq == null
          || !inc.isIntegralNumber()
          || !inc.canConvertToLong()
          || !seq.isIntegralNumber()
          || !seq.canConvertToLong()
          || seq.asLong() <= 0) {
        throw new IOException("a 'held' message with a bad stamp");
      }
      stamp = new Stamp(inc.asLong(), seq.asLong());
    }
    return Optional.of(
        new GroupWord(
            groups, leaseMillis, about, epoch == null ? 0 : epoch.asLong(), echo, yielding, stamp));
  }

  private static Set<String> names(JsonNode list) throws IOException {
    Set<String> groups = new LinkedHashSet<>();
    for (JsonNode g : list) {
      if (!g.isTextual() || g.textValue().length() > MAX_TEXT) {
        throw new IOException("a 'held' message with a group that is not a name");
      }
      groups.add(g.textValue());
    }
    return groups;
  }

  /** A short text field, empty when absent; capped, since it reaches the status and the log. */
  private static String text(JsonNode m, String field) throws IOException {
    JsonNode v = m.get(field);
    if (v == null) {
      return "";
    }
    if (!v.isTextual() || v.textValue().length() > MAX_TEXT) {
      throw new IOException("a 'held' message with a bad " + field);
    }
    return v.textValue();
  }
}
