package org.lbctl.core.config;

/** What HL7 message mode keeps the order of: one at a time per connection, or per sender. */
public enum Hl7Order implements ConfigName {
  /** Each sender connection's messages in order (senders that use one connection each). */
  CONNECTION("connection"),
  /**
   * The messages of one sending application and facility (MSH-3, MSH-4) in order, across all its
   * connections: one of them in flight at a time.
   */
  SENDING_APPLICATION("sending-application");

  private final String configName;

  Hl7Order(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
