package org.lbctl.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;

/** One in-process lbctl command against a node's socket: its exit code and what it printed. */
record CliRun(int exit, String out, String err) {
  static CliRun against(Path socket, String... args) {
    var cl = Lbctl.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--socket";
    all[args.length + 1] = socket.toString();
    return new CliRun(cl.execute(all), out.toString(), err.toString());
  }
}
