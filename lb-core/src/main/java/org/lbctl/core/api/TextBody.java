package org.lbctl.core.api;

/** An answer that is text of its own type (Prometheus metrics), not JSON. */
public record TextBody(String contentType, String text) {}
