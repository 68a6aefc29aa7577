package org.lbctl.core.http;

/**
 * Why an HTTP exchange was refused or cut, each counted per virtual service ({@code /metrics}:
 * {@code lbctl_http_rejected_total{proxy,reason,code}}), so that a night-shift engineer sees which
 * clients or servers misbehave without reading the log.
 */
public enum HttpRejection {
  /** The request line is over the limit. */
  REQUEST_LINE_TOO_LONG(414),
  /** The request headers are over the size or count limit. */
  HEADERS_TOO_LARGE(431),
  /** A request that is not HTTP/1.x as RFC 9112 writes it, or frames itself ambiguously. */
  MALFORMED_REQUEST(400),
  /** A Connection header naming Content-Length, Transfer-Encoding or Host. */
  CONNECTION_NAMES_FRAMING(400),
  /** A transfer coding besides chunked. */
  UNSUPPORTED_CODING(501),
  /** CONNECT, which HTTP mode does not tunnel. */
  UNSUPPORTED_METHOD(501),
  /** An HTTP version other than 1.0 and 1.1. */
  UNSUPPORTED_VERSION(505),
  /** No complete request headers within the header timeout. */
  HEADER_TIMEOUT(408),
  /** A chunked request body that cannot be framed. */
  MALFORMED_BODY(400),
  /** A request body over the virtual service's maxRequestBody. */
  BODY_TOO_LARGE(413),
  /** More requests sent ahead of their answers than may wait. */
  TOO_MANY_PIPELINED(0),
  /** A response that cannot be framed, before any of it reached the client. */
  MALFORMED_RESPONSE(502),
  /** A response that could not be framed after part of it had gone out: the client was cut off. */
  RESPONSE_CUT(0),
  /** The server closed its connection without answering. */
  SERVER_CLOSED(502),
  /**
   * An HTTP/2 client sent more than it may (resets, CONTINUATION frames, PINGs, SETTINGS): its
   * connection was closed with GOAWAY ENHANCE_YOUR_CALM.
   */
  H2_FLOOD(0),
  /** An HTTP/2 client broke the protocol: its connection was closed with GOAWAY. */
  H2_PROTOCOL_ERROR(0);

  private final int status;

  HttpRejection(int status) {
    this.status = status;
  }

  /** The status the client got; 0 when its connection was closed without one. */
  public int status() {
    return status;
  }

  /** The name in metrics and status: lower case, words joined by '_'. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
