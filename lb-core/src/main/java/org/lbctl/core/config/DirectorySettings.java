package org.lbctl.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.lbctl.core.auth.Role;

/**
 * A directory (LDAP, Active Directory) whose users may log in to management, with the role each of
 * its groups gives. Never replicated: each node names its own directory servers.
 *
 * @param host the directory server's name or address, as its certificate names it
 * @param port 636 for LDAPS, 389 with StartTLS unless given
 * @param startTls plain LDAP raised to TLS before anything is sent; else LDAPS
 * @param caFile PEM certificates that sign the directory's certificate (the hospital's CA)
 * @param userDn how a login name becomes what is bound: a DN ({@code uid={user},ou=people,...}) or
 *     an Active Directory user principal name ({@code {user}@hospital.example})
 * @param userBase where the user's entry is found by {@code userPrincipalName} when {@code userDn}
 *     is not a DN
 * @param groupBase where groups are searched for the user as {@code member}, {@code uniqueMember}
 *     or {@code memberUid}
 * @param groups group DN to role; a user in none of them cannot log in, one in several gets the
 *     highest
 * @param timeout for connecting and for each operation
 */
public record DirectorySettings(
    String host,
    int port,
    boolean startTls,
    Path caFile,
    String userDn,
    Optional<String> userBase,
    String groupBase,
    Map<String, Role> groups,
    Duration timeout) {
  public static final String USER = "{user}";

  public DirectorySettings {
    requireNonNull(host, "host");
    requireNonNull(caFile, "caFile");
    requireNonNull(userDn, "userDn");
    requireNonNull(userBase, "userBase");
    requireNonNull(groupBase, "groupBase");
    groups = Map.copyOf(groups);
    requireNonNull(timeout, "timeout");
  }

  /** What is bound for {@code name} (a name a user may have: no character needs escaping). */
  public String bindName(String name) {
    return userDn.replace(USER, name);
  }
}
