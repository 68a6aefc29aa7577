package org.lbctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.cluster.node.Node;
import org.lbctl.core.testing.Ports;
import org.lbctl.core.tls.ManagementCertificate;

/**
 * lbctl against a node's HTTPS API ({@code --endpoint}) with tokens made by {@code lbctl token} on
 * the node's socket; exit codes 0 (done), 1 (refused), 2 (usage); shell completion.
 */
class RemoteCommandsIT {
  @TempDir Path dir;
  private Node node;
  private String endpoint;
  private Path cert;

  @BeforeEach
  void start() throws Exception {
    int https = Ports.free();
    Path config = dir.resolve("lbctl.yaml");
    Files.writeString(
        config,
        """
        virtualServices:
          - label: pacs
            address: 127.0.0.1
            ports: [%d]
            realServers:
              - {label: pacs1, address: 127.0.0.1, port: %d}
              - {label: pacs2, address: 127.0.0.1, port: %d}
        """
            .formatted(Ports.free(), Ports.free(), Ports.free()));
    node = HttpsNode.start(config, https);
    node.accounts().addUser("admin", "correct horse battery");
    endpoint = "https://127.0.0.1:" + https;
    cert = dir.resolve(ManagementCertificate.CERT_FILE);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  /** A token made on the node's socket, written to a file of its own. */
  private Path token(String label, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("token", "create", label, "--user", "admin"));
    args.addAll(List.of(flags));
    CliRun made = CliRun.against(dir.resolve("lbctl.sock"), args.toArray(String[]::new));
    assertThat(made.exit()).as(made.err()).isZero();
    Matcher m = Pattern.compile("(lbctl_[0-9a-f]{8}_\\S+)").matcher(made.out());
    assertThat(m.find()).as(made.out()).isTrue();
    Path file = dir.resolve(label + ".token");
    Files.writeString(file, m.group(1) + "\n");
    return file;
  }

  private CliRun remote(String... args) {
    var cl = Lbctl.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return new CliRun(cl.execute(args), out.toString(), err.toString());
  }

  @Test
  void commandsWorkAgainstARemoteNodeWithAToken() throws Exception {
    Path token = token("ops laptop");
    String[] at = {
      "--endpoint", endpoint, "--cacert", cert.toString(), "--token-file", token.toString()
    };

    CliRun status = remote(with(new String[] {"status"}, at));
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("pacs", "pacs1", "pacs2");

    CliRun json = remote(with(new String[] {"status", "-o", "json"}, at));
    assertThat(
            new ObjectMapper()
                .readTree(json.out())
                .path("virtualServices")
                .get(0)
                .path("label")
                .asText())
        .isEqualTo("pacs");

    CliRun halt = remote(with(new String[] {"rip", "halt", "pacs", "pacs2"}, at));
    assertThat(halt.exit()).as(halt.err()).isZero();
    assertThat(node.status().virtualServices().get(0).realServers().get(1).adminState())
        .isEqualTo("halt");
    String audit = Files.readString(dir.resolve("audit.log"));
    assertThat(audit).contains("\"user\":\"admin (token ", "\"from\":\"127.0.0.1\"", "admin-state");

    CliRun list = remote(with(new String[] {"token", "list"}, at));
    assertThat(list.out()).contains("ops laptop", "admin", "read-write");
  }

  @Test
  void refusalsExitOneWithTheReasonAndUsageErrorsExitTwo() throws Exception {
    Path token = token("ops laptop");
    Path readOnly = token("prometheus", "--read-only");

    CliRun untrusted = remote("status", "--endpoint", endpoint, "--token-file", token.toString());
    assertThat(untrusted.exit()).isEqualTo(1);
    assertThat(untrusted.err()).contains("does not trust", "--cacert");

    CliRun noToken = remote("status", "--endpoint", endpoint, "--cacert", cert.toString());
    assertThat(noToken.exit()).isEqualTo(1);
    assertThat(noToken.err()).contains("needs an API token");

    CliRun refused =
        remote(
            "rip",
            "halt",
            "pacs",
            "pacs1",
            "--endpoint",
            endpoint,
            "--cacert",
            cert.toString(),
            "--token-file",
            readOnly.toString());
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("read-only");
    assertThat(node.status().virtualServices().get(0).realServers().get(0).adminState())
        .isEqualTo("online");

    String id = Files.readString(token).substring(6, 14);
    assertThat(CliRun.against(dir.resolve("lbctl.sock"), "token", "revoke", id).exit()).isZero();
    CliRun revoked =
        remote(
            "status",
            "--endpoint",
            endpoint,
            "--cacert",
            cert.toString(),
            "--token-file",
            token.toString());
    assertThat(revoked.exit()).isEqualTo(1);
    assertThat(revoked.err()).contains("unknown or revoked API token");

    assertThat(remote("status", "--endpoint", "http://127.0.0.1:1").exit()).isEqualTo(2);
    assertThat(remote("rip", "sideways", "pacs", "pacs1").exit()).isEqualTo(2);
    assertThat(remote("no-such-command").exit()).isEqualTo(2);
  }

  @Test
  void bashCompletionKnowsTheCommands() {
    CliRun completion = remote("generate-completion");
    assertThat(completion.exit()).isZero();
    assertThat(completion.out()).contains("complete -F", "status", "token", "--endpoint");
  }

  private static String[] with(String[] base, String... more) {
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }
}
