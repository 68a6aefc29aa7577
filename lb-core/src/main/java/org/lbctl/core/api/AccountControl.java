package org.lbctl.core.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.lbctl.core.auth.ApiTokens;
import org.lbctl.core.auth.Role;

/** What the management API can do to a node's users and tokens. */
public interface AccountControl {
  /**
   * Adds a management user; with no password given, one is generated and returned (shown once).
   *
   * @param role empty: admin for the node's first user, viewer for later ones
   * @return the generated password, or empty when one was given
   * @throws ApiException 400 naming what is wrong (name, existing user, short password)
   */
  Optional<String> addUser(String name, String password, Optional<Role> role) throws ApiException;

  /** A user of the default role. */
  default Optional<String> addUser(String name, String password) throws ApiException {
    return addUser(name, password, Optional.empty());
  }

  /** The users: name, role, whether disabled, when made; never a hash. */
  List<Map<String, Object>> users();

  /** An active user's role; empty when there is no such user or it is disabled. */
  Optional<Role> role(String name);

  /**
   * Gives a user a role, which its sessions and tokens act with from their next request.
   *
   * @throws ApiException 404 for an unknown user
   */
  void setRole(String name, Role role) throws ApiException;

  /** The API tokens, never their secrets. */
  List<ApiTokens.Token> tokens();

  /**
   * Makes an API token for an existing user.
   *
   * @param role the most the token may do (its user's role when that is less)
   * @return the token's text, shown once
   * @throws ApiException 400 naming the unknown user or bad label
   */
  String createToken(String user, String label, boolean readOnly, Role role, Duration lifetime)
      throws ApiException;

  /** A token that acts with its user's role and lives the default lifetime. */
  default String createToken(String user, String label, boolean readOnly) throws ApiException {
    return createToken(user, label, readOnly, Role.ADMIN, ApiTokens.DEFAULT_LIFETIME);
  }

  /** Removes a management user and its API tokens. */
  void removeUser(String name) throws ApiException;

  /** Gives a user a new password; {@code null}: a generated one, returned. */
  Optional<String> setPassword(String name, String password) throws ApiException;

  /** Disables (no login, its tokens and sessions refused) or enables a user. */
  void setUserDisabled(String name, boolean disabled) throws ApiException;

  /**
   * @throws ApiException 404 when there is no such token
   */
  void revokeToken(String id) throws ApiException;
}
