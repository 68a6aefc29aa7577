package org.lbctl.cluster.groups;

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
}
