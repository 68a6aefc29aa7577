package org.lbctl.core.config;

/**
 * HTTP mode: what becomes of the trailer section after a chunked body (RFC 9110 §6.5), in requests
 * and responses alike. Some real servers and clients mishandle trailers; an operator can keep them
 * out. Either way they are read and held to the header limits first.
 */
public enum Trailers implements ConfigName {
  /** Passed on as they came (framing fields excepted, which are refused). */
  FORWARD("forward"),
  /** Read, checked and dropped: the other side gets the body's end without them. */
  DROP("drop");

  private final String configName;

  Trailers(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
