package org.lbctl.core.auth;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.DereferencePolicy;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPSearchException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;
import org.lbctl.core.config.DirectorySettings;
import org.lbctl.core.tls.NameCheckingSockets;
import org.lbctl.core.tls.PemTrust;

/**
 * Logins against the hospital's directory: a simple bind as the user over LDAPS or StartTLS (the
 * directory's certificate checked against the configured CA and its name), then a search, as that
 * user, for the groups it is a member of; the configured groups give the role. One connection per
 * login, closed after it: logins are few and a pool would hold a bound user's rights.
 */
public final class Directory {
  /** What the directory said of a login. */
  public sealed interface Answer {}

  /** The password is right and the user is in a group that gives {@code role}. */
  public record Member(String dn, Role role) implements Answer {}

  /** A wrong name or password, or a user in none of the configured groups. */
  public record Refused(String why) implements Answer {}

  /** The directory could not answer: down, too slow, or its certificate not trusted. */
  public record Unreachable(String why) implements Answer {}

  private static final int MAX_GROUPS = 1000;

  private final DirectorySettings settings;
  private final SSLSocketFactory tls;
  private final Map<DN, Role> groups = new java.util.HashMap<>();

  /**
   * @throws IOException when the CA file cannot be read, or a group name is not a DN
   */
  public Directory(DirectorySettings settings) throws IOException {
    this.settings = settings;
    this.tls =
        new NameCheckingSockets(PemTrust.context(settings.caFile()).getSocketFactory(), "LDAPS");
    for (Map.Entry<String, Role> g : settings.groups().entrySet()) {
      try {
        groups.put(new DN(g.getKey()), g.getValue());
      } catch (LDAPException e) {
        throw new IOException("directory group '" + g.getKey() + "' is not a DN", e);
      }
    }
  }

  /** Where logins go, for the log: {@code ldaps://host:636}. */
  public String where() {
    return (settings.startTls() ? "ldap://" : "ldaps://")
        + settings.host()
        + ":"
        + settings.port()
        + (settings.startTls() ? " (StartTLS)" : "");
  }

  /** Asks the directory about {@code name} (a name a user may have) and {@code password}. */
  public Answer verify(String name, String password) {
    if (password == null || password.isEmpty()) {
      // A simple bind without a password is an anonymous bind: it would "succeed".
      return new Refused("an empty password");
    }
    String bindName = settings.bindName(name);
    try (LDAPConnection c = connect()) {
      try {
        c.bind(new SimpleBindRequest(bindName, password));
      } catch (LDAPException e) {
        if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
          return new Refused("wrong name or password");
        }
        return unreachable("bind", e);
      }
      // Bound: from here on every failure is a refusal like a wrong password (401, counted), so
      // that the answer never tells a caller that a directory password was right.
      try {
        Optional<String> dn = entry(c, name, bindName);
        if (dn.isEmpty()) {
          return new Refused("no single directory entry for " + bindName);
        }
        Optional<Role> role = role(c, name, dn.get());
        return role.<Answer>map(r -> new Member(dn.get(), r))
            .orElseGet(() -> new Refused(dn.get() + " is in none of the configured groups"));
      } catch (LDAPException e) {
        return new Refused("bound, then " + unreachable("the group search", e).why());
      }
    } catch (LDAPException e) {
      return unreachable("connect", e);
    }
  }

  private LDAPConnection connect() throws LDAPException {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis((int) settings.timeout().toMillis());
    options.setResponseTimeoutMillis(settings.timeout().toMillis());
    options.setBindWithDNRequiresPassword(true);
    options.setFollowReferrals(false);
    if (!settings.startTls()) {
      return new LDAPConnection(tls, options, settings.host(), settings.port());
    }
    LDAPConnection c = new LDAPConnection(options, settings.host(), settings.port());
    try {
      ExtendedResult r = c.processExtendedOperation(new StartTLSExtendedRequest(tls));
      if (r.getResultCode() != ResultCode.SUCCESS) {
        throw new LDAPException(r.getResultCode(), "StartTLS refused: " + r.getDiagnosticMessage());
      }
    } catch (LDAPException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** The user's entry: the bound DN, or found by its principal name under {@code userBase}. */
  private Optional<String> entry(LDAPConnection c, String name, String bindName)
      throws LDAPException {
    if (settings.userBase().isEmpty()) {
      return Optional.of(bindName);
    }
    SearchRequest r =
        new SearchRequest(
            settings.userBase().get(),
            SearchScope.SUB,
            DereferencePolicy.NEVER,
            2,
            seconds(),
            false,
            Filter.createEqualityFilter("userPrincipalName", bindName),
            "1.1");
    SearchResult result = c.search(r);
    List<SearchResultEntry> found = result.getSearchEntries();
    return found.size() == 1 ? Optional.of(found.get(0).getDN()) : Optional.empty();
  }

  /** The highest role the user's groups give; empty when none of them is configured. */
  private Optional<Role> role(LDAPConnection c, String name, String dn) throws LDAPException {
    Filter member =
        Filter.createORFilter(
            Filter.createEqualityFilter("member", dn),
            Filter.createEqualityFilter("uniqueMember", dn),
            Filter.createEqualityFilter("memberUid", name));
    SearchRequest r =
        new SearchRequest(
            settings.groupBase(),
            SearchScope.SUB,
            DereferencePolicy.NEVER,
            MAX_GROUPS,
            seconds(),
            false,
            member,
            "1.1");
    List<SearchResultEntry> entries = new ArrayList<>();
    try {
      entries.addAll(c.search(r).getSearchEntries());
    } catch (LDAPSearchException e) {
      if (e.getResultCode() != ResultCode.SIZE_LIMIT_EXCEEDED) {
        throw e;
      }
      entries.addAll(e.getSearchEntries());
    }
    Optional<Role> best = Optional.empty();
    for (SearchResultEntry entry : entries) {
      Role given = groups.get(entry.getParsedDN());
      if (given != null && best.map(b -> given.compareTo(b) > 0).orElse(true)) {
        best = Optional.of(given);
      }
    }
    return best;
  }

  private int seconds() {
    return (int) Math.max(1, settings.timeout().toSeconds());
  }

  private Unreachable unreachable(String step, LDAPException e) {
    // The innermost cause says it plainly (connection refused, a certificate not trusted).
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why =
        root == e
            ? String.valueOf(e.getDiagnosticMessage() != null ? e.getDiagnosticMessage() : "")
            : root.getClass().getSimpleName() + ": " + root.getMessage();
    return new Unreachable(where() + " at " + step + ": " + e.getResultCode() + ", " + why);
  }
}
