package org.lbctl.cluster.sync;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.lbctl.core.api.ApiException;
import org.lbctl.core.api.ManagementApi;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigWriter;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.os.AtomicFiles;
import org.lbctl.core.proxy.ListenerChanges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration changed here: the file reloaded, or an edit through the management API written
 * over it (the old one kept beside it as {@code .previous}) and run. A refused change leaves the
 * file and the running configuration as they were. Called under the installer's lock.
 */
final class ConfigEdits {
  private static final Logger log = LoggerFactory.getLogger(ConfigEdits.class);

  private final Optional<Path> configFile;
  private final ConfigInstaller installer;

  ConfigEdits(Optional<Path> configFile, ConfigInstaller installer) {
    this.configFile = configFile;
    this.installer = installer;
  }

  /** Loads the configuration file again: see {@code NodeControl.reload}. */
  ListenerChanges reload() throws ApiException {
    if (configFile.isEmpty()) {
      throw new ApiException(
          409, "this node runs on an embedded configuration; there is no file to reload");
    }
    installer.refuseEditsHere("reload");
    Path path = configFile.get();
    String file = path.toString();
    try {
      byte[] read = ConfigLoader.read(path);
      ReplicatedConfig next = ConfigLoader.parse(read, ConfigLoader.isJson(path));
      installer.checkRunnable(next);
      return installer.run(read, next, file);
    } catch (ConfigException e) {
      log.warn(
          "reload of {} refused, the running configuration is unchanged:\n{}",
          file,
          e.getMessage());
      throw ManagementApi.refused(
          "configuration " + file + " refused; the running configuration is unchanged",
          e.problems());
    }
  }

  /** Runs an edited configuration and writes it: see {@code NodeControl.replaceConfig}. */
  ListenerChanges replace(byte[] given, String basedOn) throws ApiException {
    installer.refuseEditsHere("configuration edit");
    if (!basedOn.equals(installer.version().hash())) {
      throw new ApiException(
          409,
          "the configuration changed since it was read (read "
              + basedOn.substring(0, Math.min(12, basedOn.length()))
              + ", running "
              + installer.version()
              + "): read it again and redo the edit");
    }
    ReplicatedConfig next;
    try {
      next = ConfigLoader.parse(given, ConfigLoader.looksLikeJson(given));
      installer.checkRunnable(next);
    } catch (ConfigException e) {
      throw ManagementApi.refused(
          "configuration refused; the running configuration is unchanged", e.problems());
    }
    if (configFile.isEmpty()) {
      try {
        ListenerChanges changes = installer.run(given, next, "the management API (in memory)");
        log.warn(
            "configuration {} runs in memory only: this node has no file", installer.version());
        return changes;
      } catch (ConfigException e) {
        throw ManagementApi.refused(
            "configuration refused; the running configuration is unchanged", e.problems());
      }
    }
    Path path = configFile.get();
    byte[] stored = ConfigLoader.isJson(path) ? ConfigWriter.toJson(next) : toYaml(next);
    byte[] before = installer.document();
    try {
      AtomicFiles.replace(path.resolveSibling(path.getFileName() + ".previous"), before, true);
      AtomicFiles.replace(path, stored, true);
    } catch (IOException e) {
      throw new ApiException(500, "cannot write " + path + ": " + e.getMessage());
    }
    try {
      return installer.run(stored, next, path.toString());
    } catch (ConfigException e) {
      restore(path, before);
      throw ManagementApi.refused(
          "configuration refused; the running configuration is unchanged", e.problems());
    } catch (RuntimeException e) {
      restore(path, before);
      throw e;
    }
  }

  private static byte[] toYaml(ReplicatedConfig config) {
    return ConfigWriter.toYaml(config).getBytes(StandardCharsets.UTF_8);
  }

  private void restore(Path path, byte[] before) {
    try {
      AtomicFiles.replace(path, before, true);
    } catch (IOException e) {
      log.error(
          "cannot put the previous configuration back into {} ({}); the node runs it still, the"
              + " file holds the refused one",
          path,
          e.getMessage());
    }
  }
}
