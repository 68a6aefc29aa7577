package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;

/** An offer's token as `pair --accept` and `cluster invite` print it, with the peer's command. */
final class OfferText {
  private OfferText() {}

  /**
   * @param waits what this node waits for, e.g. "This node waits to be paired"
   * @param where who runs the command, e.g. "the primary"
   * @param command the command with {@code %s} for the address and then the token
   */
  static void print(PrintWriter out, JsonNode offer, String waits, String where, String command) {
    String listen = offer.path("listen").asText();
    String token = offer.path("token").asText();
    // The default port needs no saying on the other node.
    String address = listen.endsWith(":6694") ? listen.substring(0, listen.length() - 5) : listen;
    out.printf(
        "%s on %s (TCP) until %s.%ntoken: %s%n%nOn %s, run:%n  %s%n",
        waits,
        listen,
        offer.path("expiresAt").asText(),
        token,
        where,
        command.formatted(address, token));
    out.flush();
  }
}
