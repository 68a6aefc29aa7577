package org.lbctl.cluster.sync;

import java.io.IOException;
import org.lbctl.core.auth.AccountBook;
import org.lbctl.core.config.ConfigVersion;

/** The node's management accounts (users and API tokens), as account sync sees them. */
public interface AccountReplica {
  /** The accounts' number and hash; number 0 when there is nothing to hand out. */
  ConfigVersion version();

  /** The accounts as the members exchange them, with their version, taken together. */
  AccountBook.Snapshot snapshot();

  /**
   * Takes the accounts a member sent as {@code version}.
   *
   * @return true when they were merged with this node's (the first exchange after an upgrade): the
   *     result is newer than what was sent and goes back to the members
   * @throws IllegalArgumentException naming what is wrong; nothing changes then
   * @throws IOException when they could not be recorded; nothing changes then
   */
  boolean install(ConfigVersion version, byte[] document, String from) throws IOException;

  /** No member has accounts to give: a node waiting for them may make its own. */
  void release() throws IOException;

  /** Tells {@code listener} (once at most, the sync) of every change made on this node. */
  void onChange(Runnable listener);

  /**
   * Forgets the accounts' number (pairing as a secondary, joining a cluster): the accounts the
   * others share replace these at their first word.
   */
  void unnumber() throws IOException;

  /**
   * Numbers accounts that never were (a primary pairing, or a node back on its own after a failed
   * join), so that the members take them.
   */
  void claim() throws IOException;

  /** A node with no accounts of its own, for tests and parts run without management. */
  AccountReplica NONE =
      new AccountReplica() {
        @Override
        public ConfigVersion version() {
          return new ConfigVersion(0, "0".repeat(64));
        }

        @Override
        public AccountBook.Snapshot snapshot() {
          return new AccountBook.Snapshot(version(), new byte[0]);
        }

        @Override
        public void release() {}

        @Override
        public boolean install(ConfigVersion version, byte[] document, String from) {
          throw new IllegalArgumentException("this node keeps no accounts");
        }

        @Override
        public void onChange(Runnable listener) {}

        @Override
        public void unnumber() {}

        @Override
        public void claim() {}
      };
}
