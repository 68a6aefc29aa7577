package org.lbctl.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change made through the management API, and every refused attempt: who, from where, when,
 * what, and how it ended. Each entry is one JSON line appended to {@code audit.log} beside the
 * configuration (mode 0640) and a line on the {@code lbctl.audit} logger, so it reaches the journal
 * too; the latest entries are kept in memory for the API and the web UI. A node on its embedded
 * configuration keeps them in memory and in the log only.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger("lbctl.audit");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SECRETS =
      Set.of("password", "token", "secret", "key", "keypem", "privpassword", "authpassword");
  private static final int MAX_DETAIL = 2048;
  private static final int KEEP = 500;

  private final Optional<Path> file;
  private final Deque<AuditEntry> recent = new ArrayDeque<>();
  private final List<Consumer<AuditEntry>> sinks = new CopyOnWriteArrayList<>();

  public AuditLog(Optional<Path> file) {
    this.file = file;
  }

  public void record(AuditEntry e) {
    String line = toJson(e);
    if (e.status() / 100 == 2) {
      log.info("{} {} -> {}: {}", e.caller(), e.action(), e.status(), e.detail());
    } else {
      log.warn("{} {} -> {} (refused): {}", e.caller(), e.action(), e.status(), e.detail());
    }
    synchronized (this) {
      recent.addLast(e);
      if (recent.size() > KEEP) {
        recent.removeFirst();
      }
      if (file.isPresent()) {
        append(file.get(), line);
      }
    }
    sinks.forEach(s -> s.accept(e));
  }

  /** Another place each entry goes (a syslog server); it must not block. */
  public void addSink(Consumer<AuditEntry> sink) {
    sinks.add(sink);
  }

  /** The latest entries, newest first. */
  public synchronized List<AuditEntry> recent(int limit) {
    List<AuditEntry> out = new ArrayList<>();
    for (Iterator<AuditEntry> it = recent.descendingIterator();
        it.hasNext() && out.size() < limit; ) {
      out.add(it.next());
    }
    return out;
  }

  /** A request body for the log: JSON with its secrets masked, or its size. */
  public static String detail(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    if (body.length > MAX_DETAIL) {
      return body.length + " bytes";
    }
    try {
      JsonNode tree = JSON.readTree(body);
      if (tree == null) {
        return "";
      }
      mask(tree);
      return JSON.writeValueAsString(tree);
    } catch (IOException e) {
      return body.length + " bytes (not JSON)";
    }
  }

  private static void mask(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        if (SECRETS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
          o.put(name, "***");
        } else {
          mask(o.get(name));
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(AuditLog::mask);
    }
  }

  /** An entry as the API and the file show it: flat, the time as ISO-8601. */
  public static Map<String, Object> toMap(AuditEntry e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("time", e.time().toString());
    o.put("user", e.caller().user());
    o.put("from", e.caller().from());
    o.put("via", e.caller().via());
    o.put("action", e.action());
    o.put("status", e.status());
    o.put("detail", e.detail());
    return o;
  }

  static String toJson(AuditEntry e) {
    try {
      return JSON.writeValueAsString(toMap(e));
    } catch (IOException ex) {
      throw new IllegalStateException("cannot write an audit entry as JSON", ex);
    }
  }

  private static void append(Path file, String line) {
    try {
      if (!Files.exists(file)) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
      }
      Files.write(
          file,
          (line + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.APPEND,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      log.error(
          "cannot append to the audit log {} ({}); the entry is in this log only: {}",
          file,
          e.getMessage(),
          line);
    }
  }
}
