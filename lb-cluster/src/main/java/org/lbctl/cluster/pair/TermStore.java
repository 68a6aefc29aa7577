package org.lbctl.cluster.pair;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.lbctl.core.os.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The highest activation term this node has seen, kept on disk so that it only grows, across
 * restarts too: when both nodes claim the active role, the higher term keeps it.
 */
public final class TermStore {
  private static final Logger log = LoggerFactory.getLogger(TermStore.class);
  public static final String FILE_NAME = "pair.term";

  private final Optional<Path> file;
  private long term;

  /**
   * @param file where the term lives; empty keeps it in memory (tests)
   */
  public TermStore(Optional<Path> file) {
    this.file = file;
    this.term = file.map(TermStore::read).orElse(0L);
  }

  private static long read(Path f) {
    try {
      if (!Files.exists(f)) {
        return 0;
      }
      return Math.max(0, Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).strip()));
    } catch (IOException | NumberFormatException e) {
      log.warn("pair: cannot read the term from {} ({}); starting from 0", f, e.getMessage());
      return 0;
    }
  }

  public long current() {
    return term;
  }

  /** Notes a term seen from the peer; kept when higher. */
  public void saw(long peerTerm) {
    if (peerTerm > term) {
      term = peerTerm;
      write();
    }
  }

  /** The term of an activation now: one above every term seen, written before it is used. */
  public long next() {
    term = term + 1;
    write();
    return term;
  }

  private void write() {
    if (file.isEmpty()) {
      return;
    }
    try {
      AtomicFiles.replace(file.get(), (term + "\n").getBytes(StandardCharsets.US_ASCII), false);
    } catch (IOException e) {
      log.warn("pair: cannot write term {} to {}: {}", term, file.get(), e.getMessage());
    }
  }
}
