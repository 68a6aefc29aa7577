package org.lbctl.cluster.sync;

import java.io.IOException;
import org.lbctl.core.config.ConfigVersion;

/** The node's management accounts (users and API tokens), as account sync sees them. */
public interface AccountReplica {
  /** The accounts' number and hash; number 0 when there is nothing to hand out. */
  ConfigVersion version();

  /** The accounts as the members exchange them. */
  byte[] document();

  /**
   * Takes the accounts a member sent as {@code version}.
   *
   * @throws IllegalArgumentException naming what is wrong; nothing changes then
   * @throws IOException when they could not be recorded; nothing changes then
   */
  void install(ConfigVersion version, byte[] document, String from) throws IOException;

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
        public byte[] document() {
          return new byte[0];
        }

        @Override
        public void install(ConfigVersion version, byte[] document, String from) {
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
