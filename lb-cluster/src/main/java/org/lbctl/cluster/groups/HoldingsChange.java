package org.lbctl.cluster.groups;

import java.util.Set;

/** A group taken or released here: what this node holds now, which group, and why it let go. */
public interface HoldingsChange {
  void changed(Set<String> held, String group, boolean taken, String why);
}
