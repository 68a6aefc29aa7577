package org.lbctl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.NodeConfigLoader;
import org.lbctl.core.config.PairFile;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.health.CheckCommands;
import org.lbctl.core.health.HealthChecker;
import org.lbctl.core.tls.TlsMaterial;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "config",
    description =
        "Check a configuration file, show the node's running configuration, or print the"
            + " reference of every field.",
    subcommands = {
      ConfigCommand.Check.class,
      ConfigCommand.Show.class,
      ConfigCommand.Reference.class
    })
final class ConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(
      name = "check",
      description = {
        "Validate FILE as a whole without running anything (like haproxy -c).",
        "With --node, validate the node file and the configuration it names.",
        "Exit 0 when valid; 1 with every problem, each naming its field, when not."
      })
  static final class Check implements Callable<Integer> {
    @Parameters(
        paramLabel = "FILE",
        arity = "0..1",
        description = "YAML or JSON (.json) configuration")
    Path file;

    @picocli.CommandLine.Option(
        names = "--node",
        paramLabel = "FILE",
        description = "Node-local settings file; checks it and its configFile.")
    Path nodeFile;

    @picocli.CommandLine.Option(
        names = "--file-only",
        description =
            "Check the file alone, not what this host has: certificate and key files, check"
                + " scripts (a template, or a file for another node).")
    boolean fileOnly;

    @Mixin ApiOptions api;

    @Spec CommandSpec spec;

    /**
     * As `lbctl run` reads it: a secret that is missing, or others can read or write, is refused.
     */
    private static void secret(String section, Path secret) throws ConfigException, IOException {
      java.util.Optional<String> mode =
          Files.exists(secret)
              ? org.lbctl.core.os.SecretFiles.problem(secret)
              : java.util.Optional.of(section + " secret " + secret + " does not exist");
      if (mode.isPresent()) {
        throw new ConfigException(
            java.util.List.of(new ConfigProblem(section + ".secretFile", mode.get())));
      }
    }

    /**
     * What `lbctl run` refuses on this host though the file is valid: certificate and key files
     * that are missing, empty, a directory, not PEM, expired or not each other's; check scripts or
     * check TLS files it does not have.
     */
    private static void unusableHere(ReplicatedConfig config, Path scripts) throws ConfigException {
      java.util.List<ConfigProblem> unusable =
          new java.util.ArrayList<>(TlsMaterial.problems(config, Instant.now()));
      unusable.addAll(
          HealthChecker.problems(
              config, new CheckCommands(java.util.List.of(), java.util.Optional.of(scripts))));
      if (!unusable.isEmpty()) {
        throw new ConfigException(unusable);
      }
    }

    @Override
    public Integer call() throws IOException {
      if ((file == null) == (nodeFile == null)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "give a configuration FILE or --node FILE");
      }
      java.util.List<String> warnings = new java.util.ArrayList<>();
      // Where `lbctl run` looks for the external checks' scripts: the node file's, else the
      // default.
      Path scripts = org.lbctl.core.config.NodeConfig.DEFAULT_SCRIPTS;
      if (nodeFile != null) {
        try {
          var node =
              org.lbctl.core.config.ClusterFile.attach(
                  PairFile.attach(NodeConfigLoader.load(nodeFile)));
          file = node.configFile().orElseThrow();
          scripts = node.scriptsDirectory();
          node.pair().ifPresent(p -> warnings.addAll(p.warnings()));
          if (node.pair().isPresent()) {
            secret("pair", node.pair().get().secretFile());
          }
          if (node.cluster().isPresent()) {
            secret("cluster", node.cluster().get().secretFile());
          }
        } catch (ConfigException e) {
          spec.commandLine().getErr().println(nodeFile + ": " + e.getMessage());
          spec.commandLine().getErr().flush();
          return 1;
        }
      }
      ObjectMapper json = new ObjectMapper();
      try {
        ReplicatedConfig config = ConfigLoader.load(file);
        if (!fileOnly) {
          unusableHere(config, scripts);
        }
        warnings.addAll(
            TlsMaterial.expiringSoon(config, Instant.now(), java.time.Duration.ofDays(30)));
        if (api.json()) {
          ObjectNode r = json.createObjectNode().put("file", file.toString()).put("valid", true);
          r.put("virtualServices", config.virtualServices().size());
          warnings.forEach(r.putArray("warnings")::add);
          spec.commandLine()
              .getOut()
              .println(json.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } else {
          spec.commandLine()
              .getOut()
              .printf("%s: valid (%d virtual services)%n", file, config.virtualServices().size());
          warnings.forEach(w -> spec.commandLine().getErr().println("warning: " + w));
          spec.commandLine().getErr().flush();
        }
        spec.commandLine().getOut().flush();
        return 0;
      } catch (ConfigException e) {
        if (api.json()) {
          ObjectNode r = json.createObjectNode().put("file", file.toString()).put("valid", false);
          ArrayNode problems = r.putArray("problems");
          for (ConfigProblem p : e.problems()) {
            ObjectNode one = problems.addObject().put("path", p.path()).put("message", p.message());
            if (p.line() > 0) {
              one.put("line", p.line());
            }
          }
          spec.commandLine()
              .getOut()
              .println(json.writerWithDefaultPrettyPrinter().writeValueAsString(r));
          spec.commandLine().getOut().flush();
        } else {
          spec.commandLine().getErr().println(file + ": " + e.getMessage());
          spec.commandLine().getErr().flush();
        }
        return 1;
      }
    }
  }

  @Command(
      name = "reference",
      description = {
        "Print the reference of the configuration and the node file as Markdown: every",
        "object's fields with their type, default and meaning (docs/configuration.md)."
      })
  static final class Reference implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getOut().print(org.lbctl.core.config.ConfigReference.markdown());
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "show", description = "Print the configuration the node is running.")
  static final class Show extends ApiCommand {

    @Override
    public Integer call() throws IOException {
      JsonNode config = call("GET", "/v1/config", null);
      if (api.json()) {
        printJson(config);
      } else {
        YAMLFactory yaml =
            YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .build();
        out().print(new ObjectMapper(yaml).writeValueAsString(config));
        out().flush();
      }
      return 0;
    }
  }
}
