package org.lbctl.core.api;

/**
 * What a management listener puts before the API: who the caller is (the Unix socket's file
 * permissions, or HTTPS credentials) and anything the listener answers itself.
 */
@FunctionalInterface
public interface Front {
  /** Answers one request; runs on a management thread, never an event loop. */
  ApiResponse answer(Incoming request);

  /**
   * Whether answering needs a password hash, and if so the request's rank in the {@link
   * PasswordLane} ({@link PasswordLane#KNOWN} or {@link PasswordLane#STRANGER}); empty when it
   * needs none.
   */
  default java.util.OptionalInt passwordRank(Incoming request) {
    return java.util.OptionalInt.empty();
  }

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
