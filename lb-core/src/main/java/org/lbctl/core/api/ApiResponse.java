package org.lbctl.core.api;

import java.util.Map;

/** A status code, a body (JSON unless a {@link TextBody}) and any headers of its own. */
public record ApiResponse(int status, Object body, Map<String, String> headers) {
  public ApiResponse {
    headers = Map.copyOf(headers);
  }

  public ApiResponse(int status, Object body) {
    this(status, body, Map.of());
  }
}
