package org.lbctl.cluster.groups;

/**
 * Whether a member's process is gone, asked of its host when the view dropped the member while it
 * was heard (blocking; a few ms). Anything but "gone" leaves the member to the silence rule.
 */
@FunctionalInterface
public interface CrashProbe {
  boolean processGone(String member);

  /** For tests without hosts: every such drop is a crash, as a view's word alone would say. */
  CrashProbe TRUST_THE_VIEW = member -> true;
}
