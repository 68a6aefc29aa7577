package org.lbctl.core.snmp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.lbctl.core.os.AtomicFiles;

/**
 * How many times this node's SNMP engine has started (RFC 3414 snmpEngineBoots), kept in {@code
 * snmp-engine-boots} in the state directory: with the engine's time reset at each start, a rising
 * count is what lets an SNMPv3 receiver take the notifications of a restarted node.
 */
public final class EngineBoots {
  static final String FILE = "snmp-engine-boots";
  // RFC 3414: at this value the engine must be given new keys; it stays there.
  private static final int MAX = 2147483647;

  private EngineBoots() {}

  /** The count for this start, recorded; 1 for a node that keeps no state. */
  public static int next(Optional<Path> stateDir) throws IOException {
    if (stateDir.isEmpty()) {
      return 1;
    }
    Path file = stateDir.get().resolve(FILE);
    int last = 0;
    if (Files.exists(file)) {
      try {
        last = Integer.parseInt(Files.readString(file, StandardCharsets.US_ASCII).strip());
      } catch (NumberFormatException e) {
        throw new IOException(file + ": not a count of starts; remove it to start again at 1");
      }
    }
    int next = last >= MAX - 1 ? MAX : Math.max(1, last + 1);
    AtomicFiles.replace(file, (next + "\n").getBytes(StandardCharsets.US_ASCII), true);
    return next;
  }
}
