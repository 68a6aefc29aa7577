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
 * members of a pair or cluster share them: each change here is numbered and handed to the account
 * sync, which sends it to the others.
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

  /**
   * @param role empty: admin for the first user (no one else could give it), viewer after
   */
  @Override
  public Optional<String> addUser(String name, String password, Optional<Role> role)
      throws ApiException {
    Management management = this.management.get();
    Optional<String> generated =
        password == null ? Optional.of(PasswordHash.generate()) : Optional.empty();
    Role given = role.orElse(management.users().isEmpty() ? Role.ADMIN : Role.VIEWER);
    try {
      management.users().add(name, generated.orElse(password), given);
      shared();
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the users file: " + e.getMessage());
    }
    if (!management.users().persistent()) {
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
    try {
      management.get().users().setRole(name, role);
      shared();
      log.warn("user '{}' is now {}", name, role);
    } catch (IllegalArgumentException e) {
      throw new ApiException(404, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the users file: " + e.getMessage());
    }
  }

  /** An active user's role; empty when there is no such user or it is disabled. */
  @Override
  public Optional<Role> role(String name) {
    return management.get().users().role(name);
  }

  @Override
  public void removeUser(String name) throws ApiException {
    Management management = this.management.get();
    try {
      if (!management.users().exists(name)) {
        throw new IllegalArgumentException("name: no management user '" + name + "'");
      }
      // Its tokens first: a name added again later must not find them.
      int tokens = management.tokens().revokeAllOf(name);
      management.users().remove(name);
      shared();
      log.warn("user '{}' removed, with {} API token(s)", name, tokens);
    } catch (IllegalArgumentException e) {
      throw new ApiException(404, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the users or tokens file: " + e.getMessage());
    }
  }

  @Override
  public Optional<String> setPassword(String name, String password) throws ApiException {
    Optional<String> generated =
        password == null ? Optional.of(PasswordHash.generate()) : Optional.empty();
    try {
      management.get().users().setPassword(name, generated.orElse(password));
      shared();
    } catch (IllegalArgumentException e) {
      throw new ApiException(e.getMessage().startsWith("name:") ? 404 : 400, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the users file: " + e.getMessage());
    }
    return generated;
  }

  @Override
  public void setUserDisabled(String name, boolean disabled) throws ApiException {
    try {
      management.get().users().setDisabled(name, disabled);
      shared();
      log.warn("user '{}' {}", name, disabled ? "disabled" : "enabled");
    } catch (IllegalArgumentException e) {
      throw new ApiException(404, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the users file: " + e.getMessage());
    }
  }

  @Override
  public List<ApiTokens.Token> tokens() {
    return management.get().tokens().list();
  }

  @Override
  public String createToken(
      String user, String label, boolean readOnly, Role role, java.time.Duration lifetime)
      throws ApiException {
    Management management = this.management.get();
    if (!management.users().exists(user)) {
      throw new ApiException(400, "user: no management user '" + user + "'");
    }
    try {
      String token = management.tokens().create(user, label, readOnly, role, lifetime);
      shared();
      return token;
    } catch (IllegalArgumentException e) {
      throw new ApiException(400, e.getMessage());
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the tokens file: " + e.getMessage());
    }
  }

  @Override
  public void revokeToken(String id) throws ApiException {
    try {
      if (!management.get().tokens().revoke(id)) {
        throw new ApiException(404, "no API token '" + id + "'");
      }
      shared();
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the tokens file: " + e.getMessage());
    }
  }

  /** Numbers a change made here and hands it to the members; the change itself stands. */
  private void shared() {
    try {
      ConfigVersion v = management.get().book().changed();
      log.debug("accounts: now {}", v);
    } catch (IOException e) {
      log.error(
          "accounts: the change is made here but cannot be numbered ({}): the other members"
              + " take it with the next change",
          e.getMessage());
      return;
    }
    onChange.run();
  }

  @Override
  public ConfigVersion version() {
    return management.get().book().version();
  }

  @Override
  public byte[] document() {
    return management.get().book().document();
  }

  @Override
  public void install(ConfigVersion version, byte[] document, String from) throws IOException {
    AccountBook.Changes c = management.get().book().install(version, document);
    log.warn(
        "accounts: now {} from {}: users added {}, removed {}, changed {}; {} API token(s)",
        version,
        from,
        c.added(),
        c.removed(),
        c.changed(),
        c.tokens());
  }

  @Override
  public void onChange(Runnable listener) {
    onChange = listener;
  }

  @Override
  public void claim() throws IOException {
    management.get().book().claim();
  }

  @Override
  public void unnumber() throws IOException {
    management.get().book().unnumber();
  }
}
