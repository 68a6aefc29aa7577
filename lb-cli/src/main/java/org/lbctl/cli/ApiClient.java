package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** Calls a node's management API: over its Unix socket, or over HTTPS with a token. */
interface ApiClient {
  /** A decoded answer: the HTTP status and its JSON body. */
  record Answer(int status, JsonNode body) {
    boolean ok() {
      return status / 100 == 2;
    }

    String error() {
      return body.path("error").asText("HTTP " + status);
    }
  }

  Answer call(String method, String path, String jsonBody) throws IOException;
}
