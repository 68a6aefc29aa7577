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
  // Accounts from before the members shared them (no version file): the first document from a
  // member is merged with them, not put in their place, so an upgrade loses no node's users.
  private boolean legacy;
  // Paired as a secondary or joined a cluster: the accounts are the others' to give; changes here
  // wait until they came (or no member has any).
  private boolean awaiting;
  // The latest snapshot; null after anything that changes the users or tokens.
  private Snapshot snapshot;

  private AccountBook(
      UserStore users,
      ApiTokens tokens,
      Optional<Path> versionFile,
      long number,
      boolean legacy,
      boolean awaiting) {
    this.users = users;
    this.tokens = tokens;
    this.versionFile = versionFile;
    this.number = number;
    this.legacy = legacy;
    this.awaiting = awaiting;
  }

  /**
   * The book over {@code users} and {@code tokens}. Accounts with no version file yet (kept per
   * node before the members shared them) are numbered 1 and merged with the first a member sends.
   */
  public static AccountBook open(UserStore users, ApiTokens tokens, Optional<Path> versionFile)
      throws IOException {
    boolean any = !(users.isEmpty() && tokens.list().isEmpty());
    if (versionFile.isPresent() && Files.exists(versionFile.get())) {
      JsonNode root = JSON.readTree(versionFile.get().toFile());
      JsonNode v = root.path("version");
      if (!v.isIntegralNumber() || v.asLong() < 0) {
        throw new IOException(versionFile.get() + ": version: a whole number >= 0");
      }
      return new AccountBook(
          users, tokens, versionFile, v.asLong(), false, root.path("awaiting").asBoolean(false));
    }
    return new AccountBook(users, tokens, versionFile, any ? 1 : 0, any, false);
  }

  public UserStore users() {
    return users;
  }

  public ApiTokens tokens() {
    return tokens;
  }

  /** The number and the SHA-256 of the document. */
  public synchronized ConfigVersion version() {
    return snapshot().version();
  }

  /** The accounts as the members exchange them, with their version: taken together. */
  public record Snapshot(ConfigVersion version, byte[] document) {}

  public synchronized Snapshot snapshot() {
    // Asked every second by the sync and by each member's word: encoded and hashed once per
    // change, not each time (every change goes through this book).
    if (snapshot == null || snapshot.version().number() != number) {
      byte[] document = encode(users.all(), tokens.all());
      snapshot = new Snapshot(new ConfigVersion(number, sha256(document)), document);
    }
    return snapshot;
  }

  /** The users and tokens, in the form the members exchange. */
  public synchronized byte[] document() {
    return snapshot().document();
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

  /** A change to the users or tokens made on this node. */
  public interface Change<T> {
    T apply(UserStore users, ApiTokens tokens) throws IOException;
  }

  /** Said when this node takes its accounts from the others and they have not come yet. */
  public static final class Awaiting extends IllegalStateException {
    Awaiting() {
      super(
          "this node takes its users and tokens from the pair or cluster and has not had them yet:"
              + " make the change on a member that has them");
    }
  }

  /**
   * Makes {@code change} and numbers it in one step, so that no member's accounts are taken in
   * between: the change and its number stand together or not at all.
   *
   * @throws Awaiting while the accounts are the others' to give; nothing changes then
   */
  public synchronized <T> T change(Change<T> change) throws IOException {
    if (awaiting) {
      throw new Awaiting();
    }
    long next = number + 1;
    save(next, false);
    snapshot = null;
    T result;
    try {
      result = change.apply(users, tokens);
    } catch (IOException | RuntimeException e) {
      try {
        save(number, false);
      } catch (IOException restore) {
        e.addSuppressed(restore);
      }
      throw e;
    }
    number = next;
    legacy = false;
    snapshot = null;
    return result;
  }

  /**
   * Forgets the accounts (pairing as a secondary, joining a cluster): the others' replace them at
   * their first word, and no change is made here until then.
   */
  public synchronized void unnumber() throws IOException {
    save(0, true);
    users.replaceAll(List.of());
    tokens.replaceAll(List.of());
    number = 0;
    legacy = false;
    awaiting = true;
    snapshot = null;
  }

  /** No member has accounts to give: this node may make its own. */
  public synchronized void release() throws IOException {
    if (awaiting) {
      save(number, false);
      awaiting = false;
    }
  }

  /** Whether changes wait for the others' accounts. */
  public synchronized boolean awaiting() {
    return awaiting;
  }

  /** Numbers the accounts 1 when they have none and there are users or tokens to hand out. */
  public synchronized void claim() throws IOException {
    if (number == 0 && !(users.isEmpty() && tokens.list().isEmpty())) {
      save(1, false);
      number = 1;
    }
    if (awaiting) {
      save(number, false);
      awaiting = false;
    }
  }

  /**
   * What an install changed, for the log.
   *
   * @param merged the document was merged with this node's accounts (an upgrade's first exchange):
   *     the result is newer than what was sent and goes back to the members
   */
  public record Changes(
      Set<String> added, Set<String> removed, Set<String> changed, int tokens, boolean merged) {}

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
    List<UserStore.User> nextUsers = read.users();
    List<ApiTokens.Kept> nextTokens = read.tokens();
    boolean merge = legacy;
    if (merge) {
      // The first document after an upgrade: both nodes' users and tokens, the member's record
      // first where both have one of a name.
      java.util.Map<String, UserStore.User> u = new java.util.LinkedHashMap<>();
      read.users().forEach(x -> u.put(x.name(), x));
      users.all().forEach(x -> u.putIfAbsent(x.name(), x));
      java.util.Map<String, ApiTokens.Kept> t = new java.util.LinkedHashMap<>();
      read.tokens().forEach(x -> t.put(x.token().id(), x));
      tokens.all().forEach(x -> t.putIfAbsent(x.token().id(), x));
      nextUsers = List.copyOf(u.values());
      nextTokens = List.copyOf(t.values());
    }
    Set<String> before = new TreeSet<>(users.names());
    Set<String> after = new TreeSet<>();
    Set<String> changed = new TreeSet<>();
    List<UserStore.User> old = users.all();
    for (UserStore.User u : nextUsers) {
      after.add(u.name());
      old.stream()
          .filter(o -> o.name().equals(u.name()) && !o.equals(u))
          .forEach(o -> changed.add(u.name()));
    }
    long next = merge ? Math.max(number, version.number()) + 1 : version.number();
    List<ApiTokens.Kept> oldTokens = tokens.all();
    save(next, false);
    snapshot = null;
    try {
      users.replaceAll(nextUsers);
      tokens.replaceAll(nextTokens);
    } catch (IOException | RuntimeException e) {
      try {
        tokens.replaceAll(oldTokens);
        users.replaceAll(old);
        save(number, awaiting);
      } catch (IOException | RuntimeException restore) {
        e.addSuppressed(restore);
      }
      throw e;
    }
    number = next;
    legacy = false;
    awaiting = false;
    snapshot = null;
    Set<String> added = new TreeSet<>(after);
    added.removeAll(before);
    Set<String> removed = new TreeSet<>(before);
    removed.removeAll(after);
    return new Changes(added, removed, changed, nextTokens.size(), merge);
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

  private void save(long next, boolean waiting) throws IOException {
    if (versionFile.isEmpty()) {
      return;
    }
    ObjectNode v = JSON.createObjectNode().put("version", next);
    if (waiting) {
      v.put("awaiting", true);
    }
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
