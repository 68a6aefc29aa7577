package org.lbctl.core.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.lbctl.core.config.CaFamily;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.NamedCertificate;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.NodeConfigLoader;
import org.lbctl.core.config.ReplicatedConfig;

/**
 * What a backup of a node holds and how a restore puts it back. Held: every file in the node file's
 * directory and in the configuration's (the configuration, users, tokens, pair and cluster files
 * and secrets, the management certificate and key, check scripts), and the certificate, key and CA
 * files the configuration names wherever they are. Left out: sockets, the audit log (its own
 * record, kept apart), files over 16 MiB.
 */
public final class NodeFiles {
  private static final long MAX_FILE = 16L * 1024 * 1024;

  private NodeFiles() {}

  /** The files of the node that {@code nodeFile} describes, by absolute path. */
  public static Map<Path, BackupArchive.Entry> collect(Path nodeFile)
      throws IOException, ConfigException {
    Path node = nodeFile.toAbsolutePath().normalize();
    NodeConfig local = NodeConfigLoader.load(node);
    Map<Path, BackupArchive.Entry> files = new LinkedHashMap<>();
    List<Path> dirs = new ArrayList<>(List.of(node.getParent()));
    local.configFile().map(f -> f.toAbsolutePath().normalize().getParent()).ifPresent(dirs::add);
    for (Path dir : dirs.stream().distinct().toList()) {
      try (Stream<Path> walk = Files.walk(dir, 4)) {
        for (Path p : walk.filter(NodeFiles::kept).toList()) {
          add(files, p);
        }
      }
    }
    Optional<ReplicatedConfig> named = Optional.empty();
    if (local.configFile().isPresent()) {
      try {
        named = Optional.of(ConfigLoader.load(local.configFile().get()));
      } catch (ConfigException e) {
        // A node whose configuration is refused is backed up all the same, as it stands: its
        // directories hold the file; the certificates it would name cannot be told.
      }
    }
    if (named.isPresent()) {
      ReplicatedConfig config = named.get();
      for (NamedCertificate c : config.certificates()) {
        for (String f : List.of(c.certificateFile(), c.keyFile(), c.pfxFile(), c.passwordFile())) {
          named(files, f);
        }
      }
      for (CaFamily ca : config.caFamilies()) {
        for (String f : ca.files()) {
          named(files, f);
        }
      }
    }
    return files;
  }

  private static boolean kept(Path p) {
    String name = p.getFileName().toString();
    try {
      return Files.isRegularFile(p)
          && !name.endsWith(".sock")
          && !name.startsWith("audit.log")
          && Files.size(p) <= MAX_FILE;
    } catch (IOException e) {
      return false;
    }
  }

  private static void named(Map<Path, BackupArchive.Entry> files, String file) throws IOException {
    if (!file.isEmpty()) {
      Path p = Path.of(file).toAbsolutePath().normalize();
      if (kept(p) && !files.containsKey(p)) {
        add(files, p);
      }
    }
  }

  private static void add(Map<Path, BackupArchive.Entry> files, Path p) throws IOException {
    Path abs = p.toAbsolutePath().normalize();
    files.put(
        abs,
        new BackupArchive.Entry(
            Files.readAllBytes(abs),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(abs))));
  }

  /**
   * Puts {@code files} back, each at its path under {@code root} ("/" for where they were), once
   * the node file among them and the configuration it names load as the node would load them. Every
   * file is written beside its place first and only then moved over it, so a refusal or a failure
   * before the moves changes nothing.
   *
   * @param nodeFile where the node file was (a path in the backup)
   * @return the files written
   * @throws BackupException naming what is wrong; nothing was changed then
   */
  public static List<Path> restore(Map<Path, BackupArchive.Entry> files, Path nodeFile, Path root)
      throws BackupException {
    Path node = nodeFile.toAbsolutePath().normalize();
    for (Path p : files.keySet()) {
      // A backup is read before it is trusted: a path that is not absolute and plain could
      // write anywhere under the root, or outside it.
      if (!p.isAbsolute() || !p.equals(p.normalize()) || p.toString().contains("/../")) {
        throw new BackupException(
            "the backup names a path that is not absolute and plain: "
                + org.lbctl.core.audit.LogText.field(p.toString())
                + "; nothing changed");
      }
    }
    if (!files.containsKey(node)) {
      throw new BackupException(
          "the backup holds no node file " + node + " (it holds " + files.size() + " files)");
    }
    checkLoads(files, node);
    List<Path[]> moves = new ArrayList<>();
    try {
      for (Map.Entry<Path, BackupArchive.Entry> f : files.entrySet()) {
        Path target = under(root, f.getKey());
        Files.createDirectories(target.getParent());
        // A fresh name in the target's directory, made with the file's mode from the start (a
        // key is never readable by others, not even for a moment) and never through a link.
        Path temp =
            Files.createTempFile(
                target.getParent(),
                "." + target.getFileName(),
                ".restoring",
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(f.getValue().permissions())));
        moves.add(new Path[] {temp, target});
        Files.write(
            temp,
            f.getValue().bytes(),
            java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
            java.nio.file.LinkOption.NOFOLLOW_LINKS);
        owner(target).ifPresent(o -> setOwner(temp, o));
      }
    } catch (IOException | IllegalArgumentException | java.io.UncheckedIOException e) {
      for (Path[] m : moves) {
        try {
          Files.deleteIfExists(m[0]);
        } catch (IOException ignored) {
          // best effort: a temporary file beside the target
        }
      }
      throw new BackupException("cannot write the files back, nothing changed: " + e.getMessage());
    }
    List<Path> written = new ArrayList<>();
    for (Path[] m : moves) {
      try {
        Files.move(m[0], m[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        written.add(m[1]);
      } catch (IOException e) {
        throw new BackupException(
            "restored "
                + written.size()
                + " of "
                + moves.size()
                + " files, then: "
                + e.getMessage());
      }
    }
    return written;
  }

  /** Loads the node file and its configuration from a scratch copy of the backup. */
  private static void checkLoads(Map<Path, BackupArchive.Entry> files, Path node)
      throws BackupException {
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("lbctl-restore");
      for (Map.Entry<Path, BackupArchive.Entry> f : files.entrySet()) {
        Path copy = under(scratch, f.getKey());
        Files.createDirectories(copy.getParent());
        Files.write(copy, f.getValue().bytes());
      }
      NodeConfig local = NodeConfigLoader.load(under(scratch, node));
      Optional<Path> config = local.configFile();
      if (config.isPresent()) {
        // An absolute path names the live file: the backup's copy of it is what is checked.
        Path cfg = config.get().toAbsolutePath().normalize();
        ConfigLoader.load(cfg.startsWith(scratch) ? cfg : under(scratch, cfg));
      }
    } catch (ConfigException e) {
      throw new BackupException(
          "the backup's files would not run, nothing changed: " + e.getMessage());
    } catch (IOException e) {
      throw new BackupException("cannot check the backup: " + e.getMessage());
    } finally {
      deleteQuietly(scratch);
    }
  }

  private static Path under(Path root, Path absolute) {
    Path p = root.resolve(absolute.getRoot().relativize(absolute)).normalize();
    if (!p.startsWith(root.toAbsolutePath().normalize()) && !p.startsWith(root)) {
      throw new IllegalArgumentException("a path outside " + root + ": " + absolute);
    }
    return p;
  }

  /** The owner a restored file takes: the replaced file's, else its directory's (the node's). */
  private static Optional<java.nio.file.attribute.UserPrincipal> owner(Path target) {
    try {
      Path from =
          Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              ? target
              : target.getParent();
      return Optional.of(Files.getOwner(from, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void setOwner(Path p, java.nio.file.attribute.UserPrincipal owner) {
    try {
      Files.setOwner(p, owner);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory
    }
  }
}
