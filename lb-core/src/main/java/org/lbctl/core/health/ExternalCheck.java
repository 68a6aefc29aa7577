package org.lbctl.core.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.lbctl.core.config.CheckType;
import org.lbctl.core.config.ConfigProblem;
import org.lbctl.core.config.HealthCheck;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.VirtualService;
import org.lbctl.core.os.Commands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code external}: a program from the node's scripts directory, called as the appliance calls its
 * health check scripts: {@code script VIP VIP_PORT REAL_SERVER REAL_SERVER_PORT}. Exit 0 is
 * healthy. Killed with its children at the timeout; what it printed goes to the log, and its last
 * line into the result.
 */
public final class ExternalCheck implements Check {
  private static final Logger log = LoggerFactory.getLogger(ExternalCheck.class);
  private final CheckCommands commands;
  private final String script;

  public ExternalCheck(CheckCommands commands, String script) {
    this.commands = commands;
    this.script = script;
  }

  /**
   * The external checks of {@code config} whose scripts this node cannot run: a configuration
   * naming one is refused on this node, rather than every check of it failing.
   */
  public static List<ConfigProblem> missingScripts(
      ReplicatedConfig config, CheckCommands commands) {
    List<ConfigProblem> problems = new ArrayList<>();
    List<VirtualService> vips = config.virtualServices();
    for (int i = 0; i < vips.size(); i++) {
      HealthCheck hc = vips.get(i).healthCheck();
      if (hc.type() != CheckType.EXTERNAL) {
        continue;
      }
      Optional<Path> program = locate(commands, hc.script());
      if (program.isEmpty()
          || !Files.isRegularFile(program.get())
          || !Files.isExecutable(program.get())) {
        problems.add(
            new ConfigProblem(
                "virtualServices[" + i + "].healthCheck.script",
                "'"
                    + hc.script()
                    + "' is not an executable file in "
                    + commands.scripts().map(Path::toString).orElse("(no scripts directory)")));
      }
    }
    return problems;
  }

  /** Where {@code script} is on this node; empty when the node has no scripts directory. */
  public static Optional<Path> locate(CheckCommands commands, String script) {
    return commands.scripts().map(d -> d.resolve(script));
  }

  @Override
  public CompletableFuture<CheckResult> run(CheckTarget target) {
    String name = "script " + script;
    Path program = locate(commands, script).orElse(Path.of(script));
    List<String> argv = new ArrayList<>(commands.execPrefix());
    argv.addAll(
        List.of(
            program.toString(),
            target.vipAddress(),
            Integer.toString(target.vipPort()),
            target.address().getHostAddress(),
            Integer.toString(target.ports().get(0))));
    return Commands.async(
        () -> {
          Commands.Result r;
          try {
            r = Commands.run(target.timeout(), argv);
          } catch (IOException e) {
            String why =
                e.getMessage().contains("did not finish")
                    ? "killed after " + target.timeout().toMillis() + " ms"
                    : e.getMessage();
            return CheckResult.down(name + ": " + why);
          }
          if (!r.output().isBlank()) {
            log.debug(
                "vip {} real server {}: {} said: {}",
                target.virtualService(),
                target.server(),
                name,
                r.output().strip());
          }
          String last = lastLine(r.output());
          String said = last.isEmpty() ? "" : ": " + last;
          return r.ok()
              ? CheckResult.up(name + " exited 0" + said)
              : CheckResult.down(name + " exited " + r.exit() + said);
        });
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    String last = lines[lines.length - 1].strip();
    return last.length() > 200 ? last.substring(0, 200) + "..." : last;
  }
}
