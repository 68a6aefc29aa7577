package org.lbctl.core.persistence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * HTTP cookie persistence of one virtual service: the load balancer inserts a cookie that names the
 * real server a client was sent to, and a request that carries it goes to that server while the
 * server takes persistent clients (online or draining, and healthy); otherwise the request is
 * balanced afresh and the cookie rewritten.
 *
 * <p>The value is a digest of the service's and the server's labels: opaque to the client (no label
 * or address leaks), the same on both nodes of a pair and after a restart, so cookie persistence
 * survives a failover without any replication. A request whose cookie names no current server (an
 * old value, a forged one) is balanced as if it had none.
 */
public final class StickyCookie {
  /** The cookie's name when the configuration gives none. */
  public static final String DEFAULT_NAME = "LBCTL_SERVER";

  private static final int VALUE_HEX_CHARS = 16;

  private final String virtualService;
  private final String name;
  private final java.util.Map<String, String> values =
      new java.util.concurrent.ConcurrentHashMap<>();

  public StickyCookie(String virtualService, String name) {
    if (!isToken(name)) {
      throw new IllegalArgumentException(
          "'" + name + "' cannot be a cookie name (letters, digits and !#$%&'*+-.^_`|~ only)");
    }
    this.virtualService = virtualService;
    this.name = name;
  }

  /** RFC 6265's cookie-name: an RFC 7230 token. */
  public static boolean isToken(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  public String name() {
    return name;
  }

  /** The cookie value that names {@code server}. */
  public String valueFor(String server) {
    return values.computeIfAbsent(server, this::digest);
  }

  private String digest(String server) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((virtualService + '\0' + server).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, VALUE_HEX_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JDK", e);
    }
  }

  /**
   * The server that a request's {@code Cookie} headers name, among {@code servers} (labels); empty
   * when the cookie is absent or names none of them.
   */
  public Optional<String> serverIn(List<String> cookieHeaders, Collection<String> servers) {
    for (String header : cookieHeaders) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq < 0 || !pair.substring(0, eq).strip().equals(name)) {
          continue;
        }
        String value = unquote(pair.substring(eq + 1).strip());
        for (String s : servers) {
          if (valueFor(s).equals(value)) {
            return Optional.of(s);
          }
        }
      }
    }
    return Optional.empty();
  }

  private static String unquote(String v) {
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
        ? v.substring(1, v.length() - 1)
        : v;
  }

  /**
   * The {@code Set-Cookie} header value that sticks a client to {@code server}: a session cookie
   * for the whole site, not readable by scripts, and sent back only over TLS when the client came
   * over TLS.
   */
  public String setCookie(String server, boolean secure) {
    return name + "=" + valueFor(server) + "; Path=/; HttpOnly" + (secure ? "; Secure" : "");
  }
}
