package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Usage mistakes in `lbctl pair` are refused (exit 2) before any node is asked. */
class PairCommandTest {
  private String err;

  private int run(String... args) {
    var cl = Lbctl.commandLine();
    StringWriter e = new StringWriter();
    cl.setErr(new PrintWriter(e));
    cl.setOut(new PrintWriter(new StringWriter()));
    int exit = cl.execute(args);
    err = e.toString();
    return exit;
  }

  @Test
  void exactlyOneModeIsRequired() {
    assertThat(run("pair", "--socket", "/nonexistent")).isEqualTo(2);
    assertThat(err).contains("give exactly one of --accept, --peer ADDR or --break");
    assertThat(run("pair", "--accept", "--break", "--socket", "/nonexistent")).isEqualTo(2);
  }

  @Test
  void pairingNeedsATokenAndAnExplicitChoiceAboutPingTargets() {
    assertThat(run("pair", "--peer", "10.0.0.2", "--ping-target", "10.0.0.1")).isEqualTo(2);
    assertThat(err).contains("--peer needs --token");
    assertThat(run("pair", "--peer", "10.0.0.2", "--token", "x")).isEqualTo(2);
    assertThat(err).contains("give at least one --ping-target (the gateway)");
    assertThat(
            run(
                "pair",
                "--peer",
                "10.0.0.2",
                "--token",
                "x",
                "--ping-target",
                "10.0.0.1",
                "--no-ping-targets"))
        .isEqualTo(2);
    assertThat(err).contains("not both");
  }

  @Test
  void acceptNeedsTheAddressThePrimaryReaches() {
    assertThat(run("pair", "--accept")).isEqualTo(2);
    assertThat(err).contains("--accept needs --listen ADDR");
  }
}
