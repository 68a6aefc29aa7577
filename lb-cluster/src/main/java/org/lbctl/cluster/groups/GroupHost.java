package org.lbctl.cluster.groups;

import java.util.List;
import org.lbctl.core.config.FloatingIp;

/**
 * What taking and releasing a VIP group does on this node: its listeners and floating addresses.
 * Releasing silences the group before anything else, as a pair's passive node does.
 */
public interface GroupHost {
  /**
   * @throws Exception when the group cannot be served here; it stays released
   */
  void take(String group) throws Exception;

  void release(String group) throws Exception;

  /**
   * Whether held group {@code group}'s floating addresses differ in the running configuration from
   * those it was taken with (or the group is gone): it must be released and taken again.
   */
  default boolean changed(String group) {
    return false;
  }

  /**
   * The configuration changed: a held group's services and addresses follow it (a group removed
   * from it is released by the controller).
   */
  default void refresh() throws Exception {}

  /**
   * Tells the neighbours again that held group {@code group}'s addresses are here (gratuitous ARP,
   * neighbour advertisements): another member may have announced them while this one was silent.
   */
  default void announce(String group) {}

  /** Every floating address a group may carry here: what the fence's lease keeps answering. */
  default List<FloatingIp> guarded() {
    return List.of();
  }
}
