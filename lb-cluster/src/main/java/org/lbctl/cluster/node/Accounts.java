package org.lbctl.cluster.node;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.lbctl.core.api.AccountControl;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.PasswordHash;
import org.lbctl.core.auth.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's management users, their roles and their API tokens, as the API changes them. */
final class Accounts implements AccountControl {
  private static final Logger log = LoggerFactory.getLogger(Operations.class);

  private final Supplier<Management> management;

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
      return management.tokens().create(user, label, readOnly, role, lifetime);
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
    } catch (IOException e) {
      throw new ApiException(500, "cannot write the tokens file: " + e.getMessage());
    }
  }
}
