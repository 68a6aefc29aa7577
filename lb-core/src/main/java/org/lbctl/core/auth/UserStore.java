package org.lbctl.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.lbctl.core.os.AtomicFiles;

/**
 * The management users of this node: names and salted password hashes, in a file only the node's
 * user can read ({@code users.json} beside the configuration), or in memory for a node on its
 * embedded configuration. There is no default user and no default password.
 */
public final class UserStore {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9._-]{0,31}");
  private static final int MIN_PASSWORD = 12;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A user as stored; a disabled one cannot log in, and its tokens and sessions do not pass. */
  public record User(String name, String hash, String created, boolean disabled, Role role) {}

  private final Optional<Path> file;
  private final Map<String, User> users = new LinkedHashMap<>();
  // Counts changes (a password, a user disabled or removed), so that what was verified before one
  // is verified again.
  private volatile long changes;
  // Per user, in memory like the sessions bound to it (see stamp).
  private final java.util.Map<String, Long> generations = new java.util.HashMap<>();

  private UserStore(Optional<Path> file) {
    this.file = file;
  }

  /** The users in {@code file} (none yet when it does not exist); empty: kept in memory only. */
  public static UserStore open(Optional<Path> file) throws IOException {
    UserStore s = new UserStore(file);
    if (file.isPresent() && Files.exists(file.get())) {
      for (JsonNode u : JSON.readTree(file.get().toFile()).path("users")) {
        User user =
            new User(
                u.path("name").asText(),
                u.path("hash").asText(),
                u.path("created").asText(),
                u.path("disabled").asBoolean(false),
                // Users from before roles could do everything: they keep it.
                Role.parse(u.path("role").asText()).orElse(Role.ADMIN));
        s.users.put(user.name(), user);
      }
    }
    return s;
  }

  /** Whether users survive a restart of the node. */
  public boolean persistent() {
    return file.isPresent();
  }

  public synchronized boolean exists(String name) {
    return users.containsKey(name);
  }

  /** How many times the users changed since the store was opened. */
  public long changes() {
    return changes;
  }

  /**
   * What a web session of {@code name} is bound to while the user is active: its password hash and
   * how many times it changed since the store opened. A new password, disabling or removing the
   * user changes it for good, and every session started before ends.
   */
  public synchronized Optional<String> stamp(String name) {
    User u = users.get(name);
    return u == null || u.disabled()
        ? Optional.empty()
        : Optional.of(generations.getOrDefault(name, 0L) + ":" + u.hash());
  }

  /** The role of an active user; empty when there is none of that name or it is disabled. */
  public synchronized Optional<Role> role(String name) {
    User u = users.get(name);
    return u == null || u.disabled() ? Optional.empty() : Optional.of(u.role());
  }

  /** The users, hashes left out: name, role, whether disabled, when made. */
  public synchronized List<java.util.Map<String, Object>> describe() {
    List<java.util.Map<String, Object>> out = new ArrayList<>();
    for (User u : users.values()) {
      out.add(
          java.util.Map.of(
              "name",
              u.name(),
              "role",
              u.role().word(),
              "disabled",
              u.disabled(),
              "created",
              u.created()));
    }
    return out;
  }

  /** Whether {@code name} exists and is not disabled: its tokens and sessions pass. */
  public synchronized boolean active(String name) {
    User u = users.get(name);
    return u != null && !u.disabled();
  }

  /**
   * Removes a user.
   *
   * @throws IllegalArgumentException when there is none of that name; nothing changes then
   */
  public synchronized void remove(String name) throws IOException {
    User u = existing(name);
    users.remove(name);
    changes++;
    generations.merge(name, 1L, Long::sum);
    try {
      save();
    } catch (IOException | RuntimeException e) {
      users.put(name, u);
      throw e;
    }
  }

  /** Gives a user a new password (the same rules as at {@link #add}). */
  public void setPassword(String name, String password) throws IOException {
    synchronized (this) {
      existing(name);
    }
    checkPassword(password);
    // Hashed outside the lock (slow on purpose): logins and checks of others go on meanwhile.
    String hash = PasswordHash.of(password);
    synchronized (this) {
      User u = existing(name);
      replace(new User(name, hash, u.created(), u.disabled(), u.role()), u);
    }
  }

  /** Gives a user a role; its sessions and tokens act with it from their next request. */
  public synchronized void setRole(String name, Role role) throws IOException {
    User u = existing(name);
    replace(new User(name, u.hash(), u.created(), u.disabled(), role), u);
  }

  /** Disables or enables a user. */
  public synchronized void setDisabled(String name, boolean disabled) throws IOException {
    User u = existing(name);
    replace(new User(name, u.hash(), u.created(), disabled, u.role()), u);
  }

  private User existing(String name) {
    User u = users.get(name);
    if (u == null) {
      throw new IllegalArgumentException(
          "name: no management user '" + org.lbctl.core.audit.LogText.name(name) + "'");
    }
    return u;
  }

  private void replace(User next, User before) throws IOException {
    users.put(next.name(), next);
    changes++;
    generations.merge(next.name(), 1L, Long::sum);
    try {
      save();
    } catch (IOException | RuntimeException e) {
      users.put(before.name(), before);
      throw e;
    }
  }

  private static void checkPassword(String password) {
    if (password == null || password.length() < MIN_PASSWORD) {
      throw new IllegalArgumentException(
          "password: at least " + MIN_PASSWORD + " characters (or leave it out to get one)");
    }
  }

  public synchronized boolean isEmpty() {
    return users.isEmpty();
  }

  public synchronized List<String> names() {
    return new ArrayList<>(users.keySet());
  }

  /**
   * Adds a user.
   *
   * @throws IllegalArgumentException naming what is wrong: the name, an existing user, a short
   *     password; nothing is changed then
   */
  public void add(String name, String password, Role role) throws IOException {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: '"
              + org.lbctl.core.audit.LogText.name(name)
              + "' is not a user name (a-z first, then a-z 0-9 . _ -, at most 32)");
    }
    synchronized (this) {
      checkRoom(name);
    }
    checkPassword(password);
    // Hashed outside the lock (slow on purpose): logins and checks of others go on meanwhile.
    String hash = PasswordHash.of(password);
    synchronized (this) {
      checkRoom(name);
      addHashed(new User(name, hash, Instant.now().toString(), false, role));
    }
  }

  private void checkRoom(String name) {
    if (users.containsKey(name)) {
      throw new IllegalArgumentException("name: user '" + name + "' exists already");
    }
    if (users.size() >= AccountBook.MAX_USERS) {
      throw new IllegalArgumentException(
          "name: this node has " + users.size() + " users, the most it keeps");
    }
  }

  private void addHashed(User u) throws IOException {
    String name = u.name();
    users.put(name, u);
    try {
      save();
    } catch (IOException | RuntimeException e) {
      users.remove(name);
      throw e;
    }
  }

  /** Every user as stored, hashes included: what a pair's members share. */
  public synchronized List<User> all() {
    return List.copyOf(users.values());
  }

  /**
   * Replaces every user with {@code next} (a pair member's accounts); a user whose record changed
   * or who is gone has its sessions ended, as after a local change.
   */
  public synchronized void replaceAll(List<User> next) throws IOException {
    Map<String, User> before = new LinkedHashMap<>(users);
    Map<String, Long> generationsBefore = new java.util.HashMap<>(generations);
    users.clear();
    for (User u : next) {
      users.put(u.name(), u);
    }
    for (User u : before.values()) {
      if (!u.equals(users.get(u.name()))) {
        generations.merge(u.name(), 1L, Long::sum);
      }
    }
    changes++;
    try {
      save();
    } catch (IOException | RuntimeException e) {
      users.clear();
      users.putAll(before);
      generations.clear();
      generations.putAll(generationsBefore);
      throw e;
    }
  }

  /** Whether {@code name} can be a user's name at all. */
  public static boolean isName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Whether {@code name} exists and {@code password} is its password (slow on purpose, and as slow
   * for a name that does not exist: the time tells nothing).
   */
  public boolean verify(String name, String password) {
    User u;
    synchronized (this) {
      u = users.get(name);
    }
    if (password == null) {
      return false;
    }
    if (u == null || u.disabled()) {
      PasswordHash.matches(password, Dummy.HASH);
      return false;
    }
    return PasswordHash.matches(password, u.hash());
  }

  /** A hash no password matches, made once, checked for names that are not users. */
  private static final class Dummy {
    static final String HASH = PasswordHash.of(PasswordHash.generate());
  }

  private void save() throws IOException {
    if (file.isEmpty()) {
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("users");
    for (User u : users.values()) {
      list.addObject()
          .put("name", u.name())
          .put("hash", u.hash())
          .put("created", u.created())
          .put("disabled", u.disabled())
          .put("role", u.role().word());
    }
    AtomicFiles.replace(
        file.get(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root), true);
  }
}
