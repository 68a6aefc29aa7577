package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command and subcommand answers {@code --help} with its usage, and exits 0. */
class HelpTest {
  static Stream<String> commands() {
    List<String> paths = new ArrayList<>();
    walk(Lbctl.commandLine(), "", paths);
    return paths.stream();
  }

  private static void walk(CommandLine cl, String path, List<String> paths) {
    for (var e : cl.getSubcommands().entrySet()) {
      if (e.getValue().getCommandSpec().usageMessage().hidden()) {
        continue;
      }
      String sub = (path + " " + e.getKey()).trim();
      if (!paths.contains(sub)) {
        paths.add(sub);
        walk(e.getValue(), sub, paths);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("commands")
  void answersHelpWithItsUsage(String command) {
    CommandLine cl = Lbctl.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.add("--help");
    int exit = cl.execute(args.toArray(String[]::new));
    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Usage: lbctl " + command);
  }

  @org.junit.jupiter.api.Test
  void thereAreCommandsToAsk() {
    assertThat(commands()).contains("run", "status", "config check", "pair", "cluster", "rip");
  }
}
