package org.lbctl.cli;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** {@code lbctl}: runs a node and drives it. Exit codes: 0 ok, 1 failure, 2 usage. */
@Command(
    name = "lbctl",
    mixinStandardHelpOptions = true,
    // Every subcommand answers --help and --version too.
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = Lbctl.Version.class,
    description = "A load balancer pair for clinical systems: DICOM, HL7 and web portals.",
    subcommands = {
      RunCommand.class,
      StatusCommand.class,
      RipCommand.class,
      ReloadCommand.class,
      FailoverCommand.class,
      PromoteCommand.class,
      PairCommand.class,
      GroupCommand.class,
      ClusterCommand.class,
      StickCommand.class,
      UserCommand.class,
      TokenCommand.class,
      CleanupCommand.class,
      ConfigCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      HelpCommand.class,
      AutoComplete.GenerateCompletion.class
    })
public final class Lbctl implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with lbctl's error handling: failures print one line, exit 1. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Lbctl());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          PrintWriter err = cmd.getErr();
          if (e instanceof CliFailure) {
            err.println("lbctl: " + e.getMessage());
          } else {
            err.println("lbctl: " + e);
            e.printStackTrace(err);
          }
          err.flush();
          return 1;
        });
    return cl;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Lbctl.class.getPackage().getImplementationVersion();
      return new String[] {"lbctl " + (v == null ? "dev" : v)};
    }
  }
}
