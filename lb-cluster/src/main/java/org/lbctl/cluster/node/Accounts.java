package org.lbctl.cluster.node;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.lbctl.cluster.sync.AccountReplica;
import org.lbctl.core.api.AccountControl;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.auth.AccountBook;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.PasswordHash;
import org.lbctl.core.auth.Role;
import org.lbctl.core.config.ConfigVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's management users, their roles and their API tokens, as the API changes them and as the
 * members of a pair or cluster share them: each change here is made and numbered in one step of the
 * account book, then handed to the account sync, which sends it to the others.
 */
final class Accounts implements AccountControl, AccountReplica {
  private static final Logger log = LoggerFactory.getLogger(Accounts.class);

  private final Supplier<Management> management;
  private volatile Runnable onChange = () -> {};

  /**
   * @param management the node's management side, once it has started
   */
  Accounts(Supplier<Management> management) {
    this.management = management;
  }

  private AccountBook book() {
    return management.get().book();
  }

  /**
   * Makes {@code change} as one numbered step and tells the members; {@code what} names the file in
   * a failure.
   */
  private <T> T shared(
      AccountBook.Change<T> change, String what, java.util.function.ToIntFunction<String> refusal)
      throws ApiException {
    T result;
    try {
      result = book().change(change);
    } catch (AccountBook.Awaiting e) {
      throw new ApiException(409, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new ApiException(refusal.applyAsInt(e.getMessage()), e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the " + what + " file: " + e.getMessage());
    }
    onChange.run();
    return result;
  }

  /**
   * @param role empty: admin for the first user (no one else could give it), viewer after
   */
  @Override
  public Optional<String> addUser(String name, String password, Optional<Role> role)
      throws ApiException {
    Optional<String> generated =
        password == null ? Optional.of(PasswordHash.generate()) : Optional.empty();
    shared(
        (users, tokens) -> {
          Role given = role.orElse(users.isEmpty() ? Role.ADMIN : Role.VIEWER);
          users.add(name, generated.orElse(password), given);
          return null;
        },
        "users",
        m -> 400);
    if (!management.get().users().persistent()) {
      log.warn(
          "user '{}' added in memory only: this node runs on its embedded configuration and"
              + " forgets its users when it stops",
          name);
    }
    return generated;
  }

  @Override
  public List<java.util.Map<String, Object>> users() {
    return management.get().users().describe();
  }

  @Override
  public void setRole(String name, Role role) throws ApiException {
    shared(
        (users, tokens) -> {
          users.setRole(name, role);
          return null;
        },
        "users",
        m -> 404);
    log.warn("user '{}' is now {}", name, role);
  }

  /** An active user's role; empty when there is no such user or it is disabled. */
  @Override
  public Optional<Role> role(String name) {
    return management.get().users().role(name);
  }

  @Override
  public void removeUser(String name) throws ApiException {
    int tokens =
        shared(
            (users, tokenStore) -> {
              if (!users.exists(name)) {
                throw new IllegalArgumentException("name: no management user '" + name + "'");
              }
              // Its tokens first: a name added again later must not find them.
              int revoked = tokenStore.revokeAllOf(name);
              users.remove(name);
              return revoked;
            },
            "users or tokens",
            m -> 404);
    log.warn("user '{}' removed, with {} API token(s)", name, tokens);
  }

  @Override
  public Optional<String> setPassword(String name, String password) throws ApiException {
    Optional<String> generated =
        password == null ? Optional.of(PasswordHash.generate()) : Optional.empty();
    shared(
        (users, tokens) -> {
          users.setPassword(name, generated.orElse(password));
          return null;
        },
        "users",
        m -> m.startsWith("name:") ? 404 : 400);
    return generated;
  }

  @Override
  public void setUserDisabled(String name, boolean disabled) throws ApiException {
    shared(
        (users, tokens) -> {
          users.setDisabled(name, disabled);
          return null;
        },
        "users",
        m -> 404);
    log.warn("user '{}' {}", name, disabled ? "disabled" : "enabled");
  }

  @Override
  public List<ApiTokens.Token> tokens() {
    return management.get().tokens().list();
  }

  @Override
  public String createToken(
      String user, String label, boolean readOnly, Role role, java.time.Duration lifetime)
      throws ApiException {
    return shared(
        (users, tokens) -> {
          // Checked in the same step as the token is made: a member's accounts taken in between
          // cannot leave a token without its user.
          if (!users.exists(user)) {
            throw new IllegalArgumentException("user: no management user '" + user + "'");
          }
          return tokens.create(user, label, readOnly, role, lifetime);
        },
        "tokens",
        m -> 400);
  }

  @Override
  public void revokeToken(String id) throws ApiException {
    shared(
        (users, tokens) -> {
          if (!tokens.revoke(id)) {
            throw new IllegalArgumentException("no API token '" + id + "'");
          }
          return null;
        },
        "tokens",
        m -> 404);
  }

  @Override
  public ConfigVersion version() {
    return book().version();
  }

  @Override
  public AccountBook.Snapshot snapshot() {
    return book().snapshot();
  }

  @Override
  public boolean install(ConfigVersion version, byte[] document, String from) throws IOException {
    AccountBook.Changes c = book().install(version, document);
    log.warn(
        "accounts: {} {} from {}: users added {}, removed {}, changed {}; {} API token(s)",
        c.merged() ? "merged this node's own with" : "now",
        version,
        from,
        c.added(),
        c.removed(),
        c.changed(),
        c.tokens());
    return c.merged();
  }

  @Override
  public void onChange(Runnable listener) {
    onChange = listener;
  }

  @Override
  public void claim() throws IOException {
    book().claim();
  }

  @Override
  public void unnumber() throws IOException {
    book().unnumber();
  }

  @Override
  public void release() throws IOException {
    if (book().awaiting()) {
      book().release();
      log.warn("accounts: no member has users or tokens to give; this node may make its own");
    }
  }
}
