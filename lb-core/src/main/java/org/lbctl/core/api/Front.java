package org.lbctl.core.api;

/**
 * What a management listener puts before the API: who the caller is (the Unix socket's file
 * permissions, or HTTPS credentials) and anything the listener answers itself.
 */
@FunctionalInterface
public interface Front {
  /** Answers one request; runs on a management thread, never an event loop. */
  ApiResponse answer(Incoming request);

  /** The Unix socket: whoever can open it is trusted, as with HAProxy's stats socket. */
  static Front unixSocket(ManagementApi api) {
    return in ->
        api.handle(
            new ApiRequest(
                in.method(),
                in.path(),
                in.body(),
                org.lbctl.core.auth.Caller.socket(in.from()),
                java.util.Optional.ofNullable(in.headers().get("If-Match")),
                in.query()));
  }
}
