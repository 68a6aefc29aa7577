package org.lbctl.core.api;

import java.util.Optional;
import org.lbctl.core.auth.Caller;

/**
 * One management request, whichever listener it came through.
 *
 * @param ifMatch the version the caller last read ({@code If-Match}), for edits of the
 *     configuration
 */
public record ApiRequest(
    String method, String path, byte[] body, Caller caller, Optional<String> ifMatch) {
  public ApiRequest(String method, String path, byte[] body, Caller caller) {
    this(method, path, body, caller, Optional.empty());
  }
}
