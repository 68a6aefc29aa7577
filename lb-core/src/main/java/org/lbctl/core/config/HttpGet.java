package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

/**
 * What an {@code http-get} or {@code https-get} check asks and expects (GE CCW's notification VIP:
 * GET /api/health/ must equal {@code allServicesOperative}, over mutual TLS: see {@link CheckTls}).
 *
 * @param host the Host header and, over TLS, the server name (SNI); empty: the server's address
 * @param expectBody text the body must contain or equal; empty: any body
 */
public record HttpGet(
    String path, String host, int expectStatus, String expectBody, BodyMatch bodyMatch) {
  public static final HttpGet DEFAULT = new HttpGet("/", "", 200, "", BodyMatch.CONTAINS);

  public HttpGet {
    requireNonNull(path, "path");
    requireNonNull(host, "host");
    requireNonNull(expectBody, "expectBody");
    requireNonNull(bodyMatch, "bodyMatch");
  }
}
