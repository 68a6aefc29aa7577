package org.lbctl.cluster.groups;

import java.util.function.BiConsumer;
import org.lbctl.cluster.sync.AccountSync;
import org.lbctl.cluster.sync.ClusterSync;

/**
 * Hands a member's message to the part it is for: the configuration's sync, the accounts' sync, a
 * pair's break, or else the group controller (the members' words).
 */
final class MemberMessages implements BiConsumer<String, byte[]> {
  private final ClusterSync sync;
  private final AccountSync accounts;
  private final Runnable onBreak;
  private final GroupController controller;

  MemberMessages(
      ClusterSync sync, AccountSync accounts, Runnable onBreak, GroupController controller) {
    this.sync = sync;
    this.accounts = accounts;
    this.onBreak = onBreak;
    this.controller = controller;
  }

  @Override
  public void accept(String from, byte[] bytes) {
    if (ClusterSync.isMine(bytes)) {
      sync.onMessage(from, bytes);
    } else if (AccountSync.isMine(bytes)) {
      accounts.onMessage(from, bytes);
    } else if (PairBreak.isMine(bytes)) {
      PairBreak.heard(from, onBreak);
    } else {
      controller.onMessage(from, bytes);
    }
  }
}
