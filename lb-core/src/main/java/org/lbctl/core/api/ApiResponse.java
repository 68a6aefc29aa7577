package org.lbctl.core.api;

/** A status code and a JSON body. */
public record ApiResponse(int status, Object body) {}
