package org.lbctl.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.lbctl.core.auth.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change made through the management API, and every refused attempt: who, from where, when,
 * what, and how it ended. Each entry is one JSON line appended to {@code audit.log} beside the
 * configuration (mode 0640) and a line on the {@code lbctl.audit} logger, so it reaches the journal
 * too; the latest entries are kept in memory for the API and the web UI. A node on its embedded
 * configuration keeps them in memory and in the log only.
 *
 * <p>Whatever a client sent is capped and escaped ({@link LogText}) before it is kept anywhere.
 * Refusals repeat cheaply for an attacker, so past {@value #REPEATS_WRITTEN} alike (same source,
 * action and status) in a minute the rest are counted and written as one entry when the minute is
 * over. The file rotates at {@value #ROTATE_BYTES} bytes, {@value #ROTATED_FILES} old files kept.
 */
public final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger("lbctl.audit");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SECRETS =
      Set.of("password", "token", "secret", "key", "keypem", "privpassword", "authpassword");
  private static final int MAX_DETAIL = 2048;
  private static final int KEEP = 500;
  static final int REPEATS_WRITTEN = 5;
  static final Duration REPEAT_WINDOW = Duration.ofMinutes(1);
  private static final int MAX_REPEAT_KEYS = 1000;
  static final long ROTATE_BYTES = 10L * 1024 * 1024;
  static final int ROTATED_FILES = 5;
  private static final ScheduledExecutorService FLUSHER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "lb-audit-repeats");
            t.setDaemon(true);
            return t;
          });

  /** Refusals alike within one window: how many came, how many were not written one by one. */
  private static final class Repeats {
    final Instant since;
    final AuditEntry first;
    int seen;
    int unwritten;

    Repeats(Instant since, AuditEntry first) {
      this.since = since;
      this.first = first;
    }
  }

  private final Optional<Path> file;
  private final Deque<Numbered> recent = new ArrayDeque<>();
  private final List<Consumer<AuditEntry>> sinks = new CopyOnWriteArrayList<>();
  private final Map<String, Repeats> repeats = new LinkedHashMap<>();
  private long sequence;

  /** An entry with its place in the node's audit trail since the node started. */
  public record Numbered(long number, AuditEntry entry) {}

  private final long rotateBytes;

  public AuditLog(Optional<Path> file) {
    this(file, ROTATE_BYTES);
  }

  AuditLog(Optional<Path> file, long rotateBytes) {
    this.file = file;
    this.rotateBytes = rotateBytes;
    FLUSHER.scheduleWithFixedDelay(
        this::flushRepeats,
        REPEAT_WINDOW.toMillis(),
        REPEAT_WINDOW.toMillis() / 4,
        TimeUnit.MILLISECONDS);
  }

  public void record(AuditEntry given) {
    AuditEntry e = bounded(given);
    if (e.status() / 100 != 2 && !countedAsRepeat(e)) {
      return;
    }
    write(e);
  }

  private void write(AuditEntry e) {
    String line = toJson(e);
    if (e.status() / 100 == 2) {
      log.info("{} {} -> {}: {}", e.caller(), e.action(), e.status(), e.detail());
    } else {
      log.warn("{} {} -> {} (refused): {}", e.caller(), e.action(), e.status(), e.detail());
    }
    synchronized (this) {
      recent.addLast(new Numbered(++sequence, e));
      if (recent.size() > KEEP) {
        recent.removeFirst();
      }
      if (file.isPresent()) {
        append(file.get(), line, rotateBytes);
      }
    }
    sinks.forEach(s -> s.accept(e));
  }

  /** Whether a refusal is to be written now (false: counted, written later in a summary). */
  private boolean countedAsRepeat(AuditEntry e) {
    String key = e.caller().from() + "\0" + e.action() + "\0" + e.status();
    AuditEntry summary = null;
    boolean write;
    synchronized (repeats) {
      if (!repeats.containsKey(key) && repeats.size() >= MAX_REPEAT_KEYS) {
        // Many sources at once: alike from all of them count together.
        key = "*\0" + e.action() + "\0" + e.status();
      }
      Repeats r = repeats.get(key);
      if (r != null && !e.time().isBefore(r.since.plus(REPEAT_WINDOW))) {
        repeats.remove(key);
        summary = summary(r);
        r = null;
      }
      if (r == null) {
        r = new Repeats(e.time(), e);
        repeats.put(key, r);
      }
      r.seen++;
      write = r.seen <= REPEATS_WRITTEN;
      if (!write) {
        r.unwritten++;
      }
    }
    if (summary != null) {
      write(summary);
    }
    return write;
  }

  /** Writes the counts of the windows that are over. */
  void flushRepeats() {
    List<AuditEntry> due = new ArrayList<>();
    Instant now = Instant.now();
    synchronized (repeats) {
      for (Iterator<Repeats> it = repeats.values().iterator(); it.hasNext(); ) {
        Repeats r = it.next();
        if (!now.isBefore(r.since.plus(REPEAT_WINDOW))) {
          it.remove();
          AuditEntry s = summary(r);
          if (s != null) {
            due.add(s);
          }
        }
      }
    }
    due.forEach(this::write);
  }

  private static AuditEntry summary(Repeats r) {
    if (r.unwritten == 0) {
      return null;
    }
    AuditEntry f = r.first;
    return new AuditEntry(
        r.since.plus(REPEAT_WINDOW),
        f.caller(),
        f.action(),
        f.status(),
        r.unwritten
            + " more refusals like this one from "
            + f.caller().from()
            + " in the minute after "
            + r.since
            + ", not written one by one (the last detail: "
            + f.detail()
            + ")");
  }

  /** Every field a client can choose, capped and escaped. */
  static AuditEntry bounded(AuditEntry e) {
    Caller c = e.caller();
    Caller safe =
        new Caller(
            LogText.name(c.user()),
            LogText.field(c.from()),
            LogText.name(c.via()),
            c.mayChange(),
            c.role());
    return new AuditEntry(
        e.time(), safe, LogText.field(e.action()), e.status(), LogText.detail(e.detail()));
  }

  /** Another place each entry goes (a syslog server); it must not block. */
  public void addSink(Consumer<AuditEntry> sink) {
    sinks.add(sink);
  }

  /** The latest entries, newest first. */
  public List<AuditEntry> recent(int limit) {
    return page(limit, Long.MAX_VALUE).stream().map(Numbered::entry).toList();
  }

  /** At most {@code limit} entries numbered below {@code before}, newest first. */
  public synchronized List<Numbered> page(int limit, long before) {
    List<Numbered> out = new ArrayList<>();
    for (Iterator<Numbered> it = recent.descendingIterator();
        it.hasNext() && out.size() < limit; ) {
      Numbered n = it.next();
      if (n.number() < before) {
        out.add(n);
      }
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

  /** audit.log becomes audit.log.1, .1 becomes .2, ... the oldest goes. */
  private static void rotate(Path file, long rotateBytes) throws IOException {
    for (int i = ROTATED_FILES - 1; i >= 1; i--) {
      Path older = file.resolveSibling(file.getFileName() + "." + i);
      if (Files.exists(older)) {
        Files.move(
            older,
            file.resolveSibling(file.getFileName() + "." + (i + 1)),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(
        file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
    log.info("audit log {} rotated (at {} bytes)", file, rotateBytes);
  }

  /** An entry as the API and the file show it: flat, the time as ISO-8601. */
  public static Map<String, Object> toMap(AuditEntry e) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("time", e.time().toString());
    o.put("user", e.caller().user());
    o.put("from", e.caller().from());
    o.put("via", e.caller().via());
    o.put("role", e.caller().role().word());
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

  private static void append(Path file, String line, long rotateBytes) {
    try {
      if (Files.exists(file) && Files.size(file) + line.length() >= rotateBytes) {
        rotate(file, rotateBytes);
      }
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
