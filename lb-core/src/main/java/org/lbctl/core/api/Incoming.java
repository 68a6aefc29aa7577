package org.lbctl.core.api;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A management request as it arrived, before anyone decided who sent it.
 *
 * @param from the peer: an address for HTTPS, {@code uid N} on the Unix socket
 * @param query the query string's parameters
 */
public record Incoming(
    String method,
    String path,
    HttpHeaders headers,
    byte[] body,
    String from,
    java.util.Map<String, java.util.List<String>> query) {}
