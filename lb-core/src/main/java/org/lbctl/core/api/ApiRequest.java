package org.lbctl.core.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.lbctl.core.auth.Caller;

/**
 * One management request, whichever listener it came through.
 *
 * @param ifMatch the version the caller last read ({@code If-Match}), for edits of the
 *     configuration
 * @param query the query string's parameters
 * @param stillAdmitted whether the caller's credentials would pass now: a long answer (the event
 *     stream) ends when its user is removed or disabled, its token revoked or its session ended
 */
public record ApiRequest(
    String method,
    String path,
    byte[] body,
    Caller caller,
    Optional<String> ifMatch,
    Map<String, List<String>> query,
    BooleanSupplier stillAdmitted) {
  public ApiRequest(String method, String path, byte[] body, Caller caller) {
    this(method, path, body, caller, Optional.empty(), Map.of(), () -> true);
  }

  /** A request whose caller's credentials do not lapse (the node's own socket). */
  public ApiRequest(
      String method,
      String path,
      byte[] body,
      Caller caller,
      Optional<String> ifMatch,
      Map<String, List<String>> query) {
    this(method, path, body, caller, ifMatch, query, () -> true);
  }

  /** A query parameter's first value. */
  public Optional<String> parameter(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }
}
