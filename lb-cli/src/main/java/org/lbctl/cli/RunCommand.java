package org.lbctl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.lbctl.cli.demo.DemoBackends;
import org.lbctl.cluster.node.Node;
import org.lbctl.cluster.node.ReloadSignal;
import org.lbctl.core.config.ConfigException;
import org.lbctl.core.config.ConfigLoader;
import org.lbctl.core.config.Endpoints;
import org.lbctl.core.config.ManagementHttps;
import org.lbctl.core.config.NodeConfig;
import org.lbctl.core.config.NodeConfigLoader;
import org.lbctl.core.config.ReplicatedConfig;
import org.lbctl.core.config.TransportChoice;
import org.lbctl.core.os.SystemdNotify;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "run",
    description = {
      "Run a node in the foreground until SIGTERM or Ctrl-C. SIGHUP reloads the configuration.",
      "--demo starts two small web servers on loopback and a virtual service in front of them."
    })
final class RunCommand implements Callable<Integer> {
  /** How long a stop that arrives during the start waits for it (then the JVM exits anyway). */
  private static final java.time.Duration START_WAIT = java.time.Duration.ofSeconds(60);

  private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Replicated configuration (YAML or JSON); overrides the node file's.")
  Path config;

  @Option(
      names = "--node",
      paramLabel = "FILE",
      description = "Node-local settings (configFile, managementSocket, ioThreads).")
  Path nodeFile;

  @Option(names = "--demo", description = "Run on the embedded demonstration configuration.")
  boolean demo;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description =
          "Management socket (default: the node file's, $LBCTL_SOCKET or /run/lbctl/lbctl.sock).")
  Path socket;

  @Option(
      names = "--io-threads",
      paramLabel = "N",
      description =
          "Event loop threads of the data plane (default: the node file's, or one per core).")
  Integer ioThreads;

  @Option(
      names = "--transport",
      paramLabel = "NAME",
      description =
          "Socket transport of the data plane: auto (epoll), epoll, io_uring or nio (default: the"
              + " node file's, else auto).")
  String transport;

  @Option(
      names = "--https",
      paramLabel = "ADDR[:PORT]",
      description =
          "HTTPS management listener (REST API, web UI, /metrics), or 'none' (default: the node"
              + " file's, else the node's own address (the default route's source) on 9443; 127.0.0.1:9443"
              + " with --demo).")
  String https;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    // Netty's sampled leak tracker records a stack trace for one buffer in 128, about 5% of
    // HTTP requests/s; a running node leaves it off unless the property asks for it.
    if (System.getProperty(LEAK_DETECTION) == null) {
      System.setProperty(LEAK_DETECTION, "disabled");
    }
    NodeConfig local = nodeConfig();
    if (local.configFile().isPresent() == demo) {
      throw new ParameterException(
          spec.commandLine(),
          "give --config FILE or --node FILE, or --demo for a demonstration node (not both)");
    }
    DemoBackends backends = demo ? DemoBackends.start() : null;
    // The hook is in place before the node starts: a SIGTERM that arrives while it is still
    // starting (binding listeners, generating a certificate) waits for the start to end and
    // then stops the node, instead of leaving the kernel rules, routes and addresses set up so
    // far behind.
    CountDownLatch started = new CountDownLatch(1);
    AtomicReference<Node> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    started.await(START_WAIT.toSeconds(), TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  Node n = running.get();
                  if (n != null) {
                    SystemdNotify.stopping();
                    n.close();
                    closeQuietly(backends);
                  }
                  stopped.countDown();
                },
                "lb-shutdown"));
    Node node;
    try {
      node = Node.start(local, demo ? Optional.of(demoConfig()) : Optional.empty());
      running.set(node);
    } catch (ConfigException e) {
      closeQuietly(backends);
      throw new CliFailure(local.configFile().map(f -> f + ": ").orElse("") + e.getMessage());
    } catch (IOException e) {
      closeQuietly(backends);
      throw new CliFailure(e.getMessage());
    } finally {
      started.countDown();
    }
    ReloadSignal.install(node);
    // Serving and taking management calls: a Type=notify unit counts as started from here.
    SystemdNotify.ready(
        node.status().virtualServices().size()
            + " virtual services, "
            + node.status().configSource());
    if (demo) {
      spec.commandLine().getOut().print(demoInstructions());
      spec.commandLine().getOut().flush();
    }
    stopped.await();
    return 0;
  }

  /** The node file's settings with the command line's on top. */
  private NodeConfig nodeConfig() {
    NodeConfig base = new NodeConfig(Optional.empty(), DefaultSocket.path(), 0);
    if (nodeFile != null) {
      try {
        base = NodeConfigLoader.load(nodeFile);
      } catch (ConfigException e) {
        throw new CliFailure(nodeFile + ": " + e.getMessage());
      }
    }
    if (ioThreads != null && ioThreads < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--io-threads: " + ioThreads + " (expected: 0 for one per core, or more)");
    }
    Optional<TransportChoice> transportChoice = Optional.empty();
    if (transport != null) {
      transportChoice = TransportChoice.parse(transport);
      if (transportChoice.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "--transport: '" + transport + "' (expected one of " + TransportChoice.labels() + ")");
      }
    }
    NodeConfig local =
        base.withOverrides(
            Optional.ofNullable(config),
            Optional.ofNullable(socket),
            ioThreads == null ? OptionalInt.empty() : OptionalInt.of(ioThreads),
            transportChoice);
    if (https != null) {
      return local.withHttps(httpsListener(https));
    }
    if (nodeFile == null) {
      return local.withHttps(
          Optional.of(
              demo
                  ? new ManagementHttps(
                      new InetSocketAddress(
                          InetAddress.getLoopbackAddress(), ManagementHttps.DEFAULT_PORT),
                      Optional.empty())
                  : ManagementHttps.defaults()));
    }
    return local;
  }

  private Optional<ManagementHttps> httpsListener(String text) {
    if (text.equals("none")) {
      return Optional.empty();
    }
    return Endpoints.parse(text, ManagementHttps.DEFAULT_PORT)
        .map(a -> new ManagementHttps(a, Optional.empty()))
        .map(Optional::of)
        .orElseThrow(
            () ->
                new ParameterException(
                    spec.commandLine(),
                    "--https: '"
                        + text
                        + "' (expected an IP address with an optional :port, or none)"));
  }

  private static void closeQuietly(DemoBackends backends) {
    if (backends != null) {
      backends.close();
    }
  }

  private static ReplicatedConfig demoConfig() throws IOException, ConfigException {
    try (InputStream in = RunCommand.class.getResourceAsStream("demo.yaml")) {
      if (in == null) {
        throw new IOException("demo.yaml is missing from the jar");
      }
      return ConfigLoader.parse(in.readAllBytes(), false);
    }
  }

  private String demoInstructions() {
    String sock = socket == null ? "" : " --socket " + socket;
    return """

        lbctl demo node is up.
          virtual service 'demo' on http://127.0.0.1:8080/ -> rs1 127.0.0.1:9001, rs2 127.0.0.1:9002
          fallback server 127.0.0.1:9003 when no real server can take a client

        Try, in another terminal:
          # answered by rs1 and rs2 in turn
          curl http://127.0.0.1:8080/
          # the System Overview
          ./lbctl status%1$s
          # the web UI on https://127.0.0.1:9443/ (self-signed certificate): add a user first
          ./lbctl user add admin%1$s
          # halt rs1: rs2 takes every new client
          ./lbctl rip halt demo rs1%1$s
          curl http://127.0.0.1:8080/
          # halt rs2 too: nobody is left, the fallback server answers
          ./lbctl rip halt demo rs2%1$s
          curl http://127.0.0.1:8080/
          # and back
          ./lbctl rip online demo rs1%1$s
          ./lbctl rip online demo rs2%1$s

        Ctrl-C stops the node.
        """
        .formatted(sock);
  }
}
