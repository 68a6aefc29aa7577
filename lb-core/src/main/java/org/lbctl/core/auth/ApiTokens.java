package org.lbctl.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lbctl.core.os.AtomicFiles;

/**
 * Tokens for scripts and scrapers ({@code Authorization: Bearer lbctl_ID_SECRET}). Each belongs to
 * a user, has a label saying what uses it, may be read-only, and expires (a year after it is made
 * unless its maker says otherwise). Only a SHA-256 of the secret is kept (a token is 256 random
 * bits, so a fast hash is enough), in {@code tokens.json} beside the users, mode 0600; the secret
 * is shown once, when the token is made.
 */
public final class ApiTokens {
  private static final Pattern FORMAT = Pattern.compile("lbctl_([0-9a-f]{8})_([A-Za-z0-9_-]{43})");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a token lives unless its maker says otherwise. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofDays(365);

  /** The longest life a token may be given. */
  public static final Duration MAX_LIFETIME = Duration.ofDays(5 * 365);

  /**
   * A token as kept: never its secret.
   *
   * @param role the most it may do; its user's role when that is less
   */
  public record Token(
      String id,
      String user,
      String label,
      boolean readOnly,
      Role role,
      String created,
      String expires) {}

  /** A token with the SHA-256 of its secret, as a pair's members share it. */
  public record Kept(Token token, String sha256) {
    public Kept {
      if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("sha256: 64 hex digits");
      }
    }
  }

  private record Stored(Token token, byte[] digest) {}

  private final Optional<Path> file;
  private final Map<String, Stored> tokens = new LinkedHashMap<>();

  private ApiTokens(Optional<Path> file) {
    this.file = file;
  }

  /** The tokens in {@code file} (none when it does not exist); empty: kept in memory only. */
  public static ApiTokens open(Optional<Path> file) throws IOException {
    ApiTokens t = new ApiTokens(file);
    if (file.isPresent() && Files.exists(file.get())) {
      for (JsonNode n : JSON.readTree(file.get().toFile()).path("tokens")) {
        Token token =
            new Token(
                n.path("id").asText(),
                n.path("user").asText(),
                n.path("label").asText(),
                n.path("readOnly").asBoolean(false),
                // Tokens made before roles act with their user's role.
                Role.parse(n.path("role").asText()).orElse(Role.ADMIN),
                n.path("created").asText(),
                // Tokens made before expiry existed live a default lifetime from their making.
                n.hasNonNull("expires")
                    ? n.path("expires").asText()
                    : Instant.parse(n.path("created").asText()).plus(DEFAULT_LIFETIME).toString());
        t.tokens.put(
            token.id(), new Stored(token, HexFormat.of().parseHex(n.path("sha256").asText())));
      }
    }
    return t;
  }

  /**
   * Makes a token for {@code user}.
   *
   * @return the token's text, to be shown once
   * @throws IllegalArgumentException naming a bad label; nothing is changed then
   */
  public synchronized String create(
      String user, String label, boolean readOnly, Role role, Duration lifetime)
      throws IOException {
    if (label == null || !LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException(
          "label: '" + label + "' (what uses the token: letters, digits, space . _ -, at most 64)");
    }
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "expiresIn: a token lives from 1 s to " + MAX_LIFETIME.toDays() + " days");
    }
    if (tokens.size() >= AccountBook.MAX_TOKENS) {
      throw new IllegalArgumentException(
          "label: this node has " + tokens.size() + " API tokens, the most it keeps; revoke some");
    }
    String id;
    do {
      byte[] b = new byte[4];
      RANDOM.nextBytes(b);
      id = HexFormat.of().formatHex(b);
    } while (tokens.containsKey(id));
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = Instant.now();
    Token token =
        new Token(id, user, label, readOnly, role, now.toString(), now.plus(lifetime).toString());
    tokens.put(id, new Stored(token, sha256(secretText)));
    try {
      save();
    } catch (IOException | RuntimeException e) {
      tokens.remove(id);
      throw e;
    }
    return "lbctl_" + id + "_" + secretText;
  }

  /** The token {@code text} names, if it is one of ours and its secret matches. */
  public Optional<Token> verify(String text) {
    Matcher m = FORMAT.matcher(text == null ? "" : text);
    if (!m.matches()) {
      return Optional.empty();
    }
    Stored s;
    synchronized (this) {
      s = tokens.get(m.group(1));
    }
    if (s == null || !MessageDigest.isEqual(s.digest(), sha256(m.group(2)))) {
      return Optional.empty();
    }
    if (!Instant.now().isBefore(Instant.parse(s.token().expires()))) {
      return Optional.empty();
    }
    return Optional.of(s.token());
  }

  public synchronized List<Token> list() {
    List<Token> all = new ArrayList<>();
    tokens.values().forEach(s -> all.add(s.token()));
    return all;
  }

  /** Every token with its digest (never a secret: none is kept). */
  public synchronized List<Kept> all() {
    List<Kept> all = new ArrayList<>();
    tokens
        .values()
        .forEach(s -> all.add(new Kept(s.token(), HexFormat.of().formatHex(s.digest()))));
    return all;
  }

  /** Replaces every token with {@code next} (a pair member's accounts). */
  public synchronized void replaceAll(List<Kept> next) throws IOException {
    Map<String, Stored> before = new LinkedHashMap<>(tokens);
    tokens.clear();
    for (Kept k : next) {
      tokens.put(k.token().id(), new Stored(k.token(), HexFormat.of().parseHex(k.sha256())));
    }
    try {
      save();
    } catch (IOException | RuntimeException e) {
      tokens.clear();
      tokens.putAll(before);
      throw e;
    }
  }

  /** Whether {@code id} is a token id as this class makes them. */
  public static boolean isId(String id) {
    return id != null && id.matches("[0-9a-f]{8}");
  }

  /** Whether {@code label} is a label a token may carry. */
  public static boolean isLabel(String label) {
    return label != null && LABEL.matcher(label).matches();
  }

  /** Removes a token; false when there is none with that id. */
  public synchronized boolean revoke(String id) throws IOException {
    Stored removed = tokens.remove(id);
    if (removed == null) {
      return false;
    }
    try {
      save();
    } catch (IOException | RuntimeException e) {
      tokens.put(id, removed);
      throw e;
    }
    return true;
  }

  /** Removes every token of {@code user} (a user removed); how many there were. */
  public synchronized int revokeAllOf(String user) throws IOException {
    Map<String, Stored> before = new LinkedHashMap<>(tokens);
    tokens.values().removeIf(s -> s.token().user().equals(user));
    int removed = before.size() - tokens.size();
    if (removed > 0) {
      try {
        save();
      } catch (IOException | RuntimeException e) {
        tokens.clear();
        tokens.putAll(before);
        throw e;
      }
    }
    return removed;
  }

  private void save() throws IOException {
    if (file.isEmpty()) {
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("tokens");
    for (Kept k : all()) {
      write(list.addObject(), k);
    }
    AtomicFiles.replace(
        file.get(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root), true);
  }

  /** {@code k}'s fields into {@code o}, as the tokens file and the members' accounts hold them. */
  static void write(ObjectNode o, Kept k) {
    Token t = k.token();
    o.put("id", t.id())
        .put("user", t.user())
        .put("label", t.label())
        .put("readOnly", t.readOnly())
        .put("role", t.role().word())
        .put("created", t.created())
        .put("expires", t.expires())
        .put("sha256", k.sha256());
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
