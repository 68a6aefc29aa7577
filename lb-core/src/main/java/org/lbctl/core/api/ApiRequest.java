package org.lbctl.core.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lbctl.core.auth.Caller;

/**
 * One management request, whichever listener it came through.
 *
 * @param ifMatch the version the caller last read ({@code If-Match}), for edits of the
 *     configuration
 * @param query the query string's parameters
 */
public record ApiRequest(
    String method,
    String path,
    byte[] body,
    Caller caller,
    Optional<String> ifMatch,
    Map<String, List<String>> query) {
  public ApiRequest(String method, String path, byte[] body, Caller caller) {
    this(method, path, body, caller, Optional.empty(), Map.of());
  }

  /** A query parameter's first value. */
  public Optional<String> parameter(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
