package org.lbctl.core.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads and validates a replicated configuration from YAML or JSON. The whole file is judged before
 * anything is returned; a refused file throws {@link ConfigException} with every problem.
 */
public final class ConfigLoader {
  /** A configuration larger than this is refused unread (a pair has hundreds of VIPs at most). */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper YAML = new ObjectMapper(yamlFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    JSON.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JSON.getFactory()
        .setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
  }

  private ConfigLoader() {}

  private static YAMLFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setAllowDuplicateKeys(false);
    options.setNestingDepthLimit(64);
    options.setCodePointLimit(MAX_BYTES);
    YAMLFactory factory = DocumentScan.factory().loaderOptions(options).build();
    factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return factory;
  }

  /** A document (JSON or YAML, told apart by its first character) as a tree, with the limits. */
  public static com.fasterxml.jackson.databind.JsonNode tree(byte[] document)
      throws ConfigException {
    if (document.length > MAX_BYTES) {
      throw ConfigException.of("", document.length + " bytes (expected at most " + MAX_BYTES + ")");
    }
    boolean json = looksLikeJson(document);
    try {
      return (json ? JSON : YAML).readTree(document);
    } catch (IOException e) {
      throw ConfigException.of("", "not valid " + (json ? "JSON" : "YAML") + ": " + e.getMessage());
    }
  }

  /**
   * Refuses what only YAML 1.1 reads as a number, and aliases, in a document sent without a file
   * name (JSON has neither), each with its line.
   */
  public static void scan(byte[] document) throws ConfigException {
    if (looksLikeJson(document)) {
      return;
    }
    Problems problems = new Problems();
    scan(document, false, problems);
    problems.throwIfAny();
  }

  /** Whether a document sent without a file name is JSON: its first character is a brace. */
  public static boolean looksLikeJson(byte[] document) {
    for (byte b : document) {
      if (!Character.isWhitespace(b)) {
        return b == '{';
      }
    }
    return false;
  }

  public static ReplicatedConfig load(Path file) throws ConfigException {
    return parse(read(file), isJson(file));
  }

  /** The document as it stands in the file, refused unread when it is larger than allowed. */
  public static byte[] read(Path file) throws ConfigException {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw ConfigException.of(
            "", file + ": " + Files.size(file) + " bytes (expected at most " + MAX_BYTES + ")");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw ConfigException.of("", "cannot read " + file + ": " + e);
    }
  }

  /** A file named {@code *.json} is read as JSON, any other as YAML. */
  public static boolean isJson(Path file) {
    return file.toString().endsWith(".json");
  }

  /** Parses a document; JSON when {@code json}, otherwise YAML (of which JSON is a subset). */
  public static ReplicatedConfig parse(byte[] bytes, boolean json) throws ConfigException {
    if (bytes.length > MAX_BYTES) {
      throw ConfigException.of("", bytes.length + " bytes (expected at most " + MAX_BYTES + ")");
    }
    Problems problems = new Problems();
    scan(bytes, json, problems);
    JsonNode root = tree(bytes, json);
    ReplicatedConfig config = new ConfigReader(problems).read(root);
    if (problems.isEmpty()) {
      new ConfigValidator(problems).validate(config);
    }
    problems.throwIfAny();
    return config;
  }

  public static ReplicatedConfig parse(String text) throws ConfigException {
    return parse(text.getBytes(StandardCharsets.UTF_8), false);
  }

  private static void scan(byte[] bytes, boolean json, Problems problems) throws ConfigException {
    try {
      DocumentScan.of((json ? JSON : YAML).getFactory(), bytes, problems);
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException | IOException e) {
      // Not a document: reading the tree says why, with the line and column.
      tree(bytes, json);
    }
  }

  private static JsonNode tree(byte[] bytes, boolean json) throws ConfigException {
    try {
      JsonNode root = (json ? JSON : YAML).readTree(bytes);
      if (root == null || root.isMissingNode()) {
        throw ConfigException.of("", "the file is empty (expected an object with virtualServices)");
      }
      return root;
    } catch (ConfigException e) {
      throw e;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw ConfigException.of(
          where, "not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
    } catch (RuntimeException | IOException e) {
      // SnakeYAML reports alias bombs and limits as runtime exceptions.
      throw ConfigException.of("", "not valid " + (json ? "JSON" : "YAML") + ": " + e.getMessage());
    }
  }
}
