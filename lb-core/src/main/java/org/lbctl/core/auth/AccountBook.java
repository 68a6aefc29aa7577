package org.lbctl.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.lbctl.core.audit.LogText;
import org.lbctl.core.config.ConfigVersion;
import org.lbctl.core.os.AtomicFiles;

/**
 * The users and API tokens as one numbered document, which the members of a pair or cluster keep
 * alike: every change here raises the number, and a member running a lower one takes the document
 * whole. The number lives in {@code accounts-version.json} beside the users; 0 means the accounts
 * were never changed since this node paired or joined, so it has nothing to hand out.
 */
public final class AccountBook {
  /** The most users a node keeps: each must fit the members' messages. */
  public static final int MAX_USERS = 1000;

  /** The most API tokens a node keeps. */
  public static final int MAX_TOKENS = 5000;

  /** The largest document a member takes from another. */
  public static final int MAX_DOCUMENT = 4 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final UserStore users;
  private final ApiTokens tokens;
  private final Optional<Path> versionFile;
  private long number;

  private AccountBook(UserStore users, ApiTokens tokens, Optional<Path> versionFile, long number) {
    this.users = users;
    this.tokens = tokens;
    this.versionFile = versionFile;
    this.number = number;
  }

  /**
   * The book over {@code users} and {@code tokens}; numbered 1 when it has accounts and no version
   * file yet (accounts from before the pair shared them), 0 when it has none.
   */
  public static AccountBook open(UserStore users, ApiTokens tokens, Optional<Path> versionFile)
      throws IOException {
    long number = users.isEmpty() && tokens.list().isEmpty() ? 0 : 1;
    if (versionFile.isPresent() && Files.exists(versionFile.get())) {
      JsonNode v = JSON.readTree(versionFile.get().toFile()).path("version");
      if (!v.isIntegralNumber() || v.asLong() < 0) {
        throw new IOException(versionFile.get() + ": version: a whole number >= 0");
      }
      number = v.asLong();
    }
    return new AccountBook(users, tokens, versionFile, number);
  }

  public UserStore users() {
    return users;
  }

  public ApiTokens tokens() {
    return tokens;
  }

  /** The number and the SHA-256 of the document. */
  public synchronized ConfigVersion version() {
    return new ConfigVersion(number, sha256(document()));
  }

  /** The users and tokens, in the form the members exchange. */
  public synchronized byte[] document() {
    return encode(users.all(), tokens.all());
  }

  private static byte[] encode(List<UserStore.User> users, List<ApiTokens.Kept> tokens) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode us = root.putArray("users");
    for (UserStore.User u : users) {
      us.addObject()
          .put("name", u.name())
          .put("hash", u.hash())
          .put("created", u.created())
          .put("disabled", u.disabled())
          .put("role", u.role().word());
    }
    ArrayNode ts = root.putArray("tokens");
    for (ApiTokens.Kept k : tokens) {
      ApiTokens.write(ts.addObject(), k);
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Raises the number after a change made here, so the other members take it. */
  public synchronized ConfigVersion changed() throws IOException {
    save(number + 1);
    number++;
    return version();
  }

  /**
   * Forgets the number (pairing as a secondary, joining a cluster): the accounts the others share
   * replace these at their first word.
   */
  public synchronized void unnumber() throws IOException {
    save(0);
    number = 0;
  }

  /** Numbers the accounts 1 when they have none and there are users or tokens to hand out. */
  public synchronized void claim() throws IOException {
    if (number == 0 && !(users.isEmpty() && tokens.list().isEmpty())) {
      save(1);
      number = 1;
    }
  }

  /** What an install changed, for the log. */
  public record Changes(Set<String> added, Set<String> removed, Set<String> changed, int tokens) {}

  /**
   * Takes a member's document as {@code version}.
   *
   * @throws IllegalArgumentException naming what is wrong with the document; nothing changes then
   */
  public synchronized Changes install(ConfigVersion version, byte[] document) throws IOException {
    if (version.number() < 1) {
      throw new IllegalArgumentException("accounts version 0 is never handed out");
    }
    if (!sha256(document).equals(version.hash())) {
      throw new IllegalArgumentException("the accounts document does not match its hash");
    }
    Read read = read(document);
    if (!sha256(encode(read.users(), read.tokens())).equals(version.hash())) {
      throw new IllegalArgumentException(
          "accounts " + version + " read differently here: the members' builds differ");
    }
    Set<String> before = new TreeSet<>(users.names());
    Set<String> after = new TreeSet<>();
    Set<String> changed = new TreeSet<>();
    List<UserStore.User> old = users.all();
    for (UserStore.User u : read.users()) {
      after.add(u.name());
      old.stream()
          .filter(o -> o.name().equals(u.name()) && !o.equals(u))
          .forEach(o -> changed.add(u.name()));
    }
    List<ApiTokens.Kept> oldTokens = tokens.all();
    users.replaceAll(read.users());
    try {
      tokens.replaceAll(read.tokens());
      save(version.number());
    } catch (IOException | RuntimeException e) {
      tokens.replaceAll(oldTokens);
      users.replaceAll(old);
      throw e;
    }
    number = version.number();
    Set<String> added = new TreeSet<>(after);
    added.removeAll(before);
    Set<String> removed = new TreeSet<>(before);
    removed.removeAll(after);
    return new Changes(added, removed, changed, read.tokens().size());
  }

  private record Read(List<UserStore.User> users, List<ApiTokens.Kept> tokens) {}

  /** The document's users and tokens, each field checked as the node checks its own. */
  static Read read(byte[] document) {
    if (document.length > MAX_DOCUMENT) {
      throw new IllegalArgumentException(
          "an accounts document of " + document.length + " bytes (at most " + MAX_DOCUMENT + ")");
    }
    JsonNode root;
    try {
      root = JSON.readTree(document);
    } catch (IOException e) {
      throw new IllegalArgumentException("an accounts document that is not JSON");
    }
    JsonNode us = root == null ? null : root.get("users");
    JsonNode ts = root == null ? null : root.get("tokens");
    if (us == null || !us.isArray() || ts == null || !ts.isArray()) {
      throw new IllegalArgumentException("an accounts document without users and tokens");
    }
    if (us.size() > MAX_USERS || ts.size() > MAX_TOKENS) {
      throw new IllegalArgumentException(
          "an accounts document of "
              + us.size()
              + " users and "
              + ts.size()
              + " tokens (at most "
              + MAX_USERS
              + " and "
              + MAX_TOKENS
              + ")");
    }
    List<UserStore.User> users = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonNode u : us) {
      String name = text(u, "name", 32);
      if (!UserStore.isName(name) || !names.add(name)) {
        throw new IllegalArgumentException(
            "users: '" + LogText.name(name) + "' is not a user name or is listed twice");
      }
      String hash = text(u, "hash", 256);
      if (!hash.startsWith("pbkdf2-")) {
        throw new IllegalArgumentException("users." + name + ".hash: not a password hash");
      }
      users.add(
          new UserStore.User(
              name, hash, instant(u, "created"), bool(u, "disabled"), role(u, "users." + name)));
    }
    List<ApiTokens.Kept> tokens = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (JsonNode t : ts) {
      String id = text(t, "id", 8);
      if (!ApiTokens.isId(id) || !ids.add(id)) {
        throw new IllegalArgumentException(
            "tokens: '" + LogText.name(id) + "' is not a token id or is listed twice");
      }
      String user = text(t, "user", 32);
      if (!names.contains(user)) {
        throw new IllegalArgumentException("tokens." + id + ".user: no such user");
      }
      String label = text(t, "label", 64);
      if (!ApiTokens.isLabel(label)) {
        throw new IllegalArgumentException("tokens." + id + ".label: not a token label");
      }
      tokens.add(
          new ApiTokens.Kept(
              new ApiTokens.Token(
                  id,
                  user,
                  label,
                  bool(t, "readOnly"),
                  role(t, "tokens." + id),
                  instant(t, "created"),
                  instant(t, "expires")),
              text(t, "sha256", 64)));
    }
    return new Read(users, tokens);
  }

  private static String text(JsonNode n, String field, int max) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.textValue().length() > max) {
      throw new IllegalArgumentException(
          "accounts: " + field + ": text of at most " + max + " characters");
    }
    return v.textValue();
  }

  private static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("accounts: " + field + ": true or false");
    }
    return v.booleanValue();
  }

  private static String instant(JsonNode n, String field) {
    String text = text(n, field, 64);
    try {
      Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("accounts: " + field + ": not an instant");
    }
    return text;
  }

  private static Role role(JsonNode n, String where) {
    String word = text(n, "role", 16);
    return Role.parse(word)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    where + ".role: '" + LogText.name(word) + "' is not a role"));
  }

  private void save(long next) throws IOException {
    if (versionFile.isEmpty()) {
      return;
    }
    ObjectNode v = JSON.createObjectNode().put("version", next);
    AtomicFiles.replace(versionFile.get(), JSON.writeValueAsBytes(v), true);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
