package org.lbctl.cluster.pairing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.lbctl.core.config.Endpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An offer to be paired or to let a node join a cluster: a TCP listener on the pair or cluster
 * address that accepts one request sealed with the token, then closes. It also closes when the
 * offer expires or after a few requests under a wrong token, so the token cannot be guessed by
 * trying. One connection at a time.
 */
public final class PairingListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PairingListener.class);
  static final int MAX_FAILURES = 5;
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  /** Decides on a request whose token was right; runs on the listener's thread. */
  @FunctionalInterface
  public interface Handler {
    /**
     * @param request the opened request
     * @throws PairingException when the request is malformed (it counts as a failure)
     */
    Reply answer(byte[] request) throws PairingException;
  }

  /** The answer to a request, sealed for {@code requestId}; {@code usedUp}: the offer is spent. */
  public record Reply(String requestId, byte[] bytes, boolean usedUp) {}

  /** The handler of a pairing offer: a primary's request to pair. */
  static Handler pairing(java.util.function.Function<PairingRequest, PairingAnswer> pair) {
    return bytes -> {
      PairingRequest request = PairingRequest.from(bytes);
      log.info(
          "pairing: request to become the secondary of {}", Endpoints.format(request.primary()));
      PairingAnswer answer = pair.apply(request);
      try {
        return new Reply(request.requestId(), answer.toBytes(), answer.accepted());
      } catch (IOException e) {
        throw new PairingException("cannot write the answer: " + e.getMessage());
      }
    };
  }

  private final ServerSocket server;
  private final PairingCipher cipher;
  private final Instant expiresAt;
  private final Handler handler;
  private final String again;
  private final Thread thread;
  private volatile boolean closed;
  private int failures;

  private PairingListener(
      ServerSocket server, PairingToken token, Instant expiresAt, Handler handler, String again) {
    this.server = server;
    this.again = again;
    this.cipher = new PairingCipher(token, new SecureRandom());
    this.expiresAt = expiresAt;
    this.handler = handler;
    this.thread = new Thread(this::serve, "lb-pairing");
    this.thread.setDaemon(true);
  }

  /**
   * Opens the listener.
   *
   * @param again the command that makes a new offer, named when this one ends unused
   * @throws IOException when the address cannot be bound (not on this host, port taken)
   */
  public static PairingListener open(
      InetSocketAddress listen,
      PairingToken token,
      Duration validity,
      Handler handler,
      String again)
      throws IOException {
    ServerSocket server = new ServerSocket();
    try {
      server.setReuseAddress(true);
      server.bind(listen, 4);
    } catch (IOException e) {
      server.close();
      throw new IOException(
          "cannot listen for pairing on "
              + listen.getAddress().getHostAddress()
              + ":"
              + listen.getPort()
              + " (TCP): "
              + e.getMessage(),
          e);
    }
    PairingListener l =
        new PairingListener(server, token, Instant.now().plus(validity), handler, again);
    l.thread.start();
    return l;
  }

  public Instant expiresAt() {
    return expiresAt;
  }

  public boolean isOpen() {
    return !closed;
  }

  private void serve() {
    try {
      while (!closed) {
        long left = Duration.between(Instant.now(), expiresAt).toMillis();
        if (left <= 0) {
          log.warn(
              "pairing: the offer on {} expired unused; run `{}` again",
              server.getLocalSocketAddress(),
              again);
          return;
        }
        server.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
        try (Socket s = server.accept()) {
          if (handle(s)) {
            return;
          }
        } catch (SocketTimeoutException e) {
          // expiry is checked above
        } catch (IOException e) {
          if (!closed) {
            log.warn("pairing: a connection failed: {}", e.getMessage());
          }
        }
        if (failures >= MAX_FAILURES) {
          log.warn(
              "pairing: closed the offer after {} requests under a wrong token; run `{}` again"
                  + " for a new token",
              failures,
              again);
          return;
        }
      }
    } catch (IOException e) {
      if (!closed) {
        log.warn("pairing: the listener failed: {}", e.getMessage());
      }
    } finally {
      close();
    }
  }

  /** Answers one connection; true when the node was paired (the offer is used up). */
  private boolean handle(Socket s) throws IOException {
    s.setSoTimeout(READ_TIMEOUT_MILLIS);
    String from = s.getInetAddress().getHostAddress();
    PairingWire.Frame frame = PairingWire.read(s.getInputStream());
    Reply reply;
    try {
      if (frame.kind() != PairingWire.SEALED) {
        throw new PairingException("expected a sealed request");
      }
      byte[] request = cipher.open("request", frame.bytes());
      log.info("pairing: a request from {} under the right token", from);
      reply = handler.answer(request);
    } catch (PairingException e) {
      failures++;
      log.warn(
          "pairing: refused a request from {} ({}; {} of {} allowed failures)",
          from,
          e.getMessage(),
          failures,
          MAX_FAILURES);
      PairingWire.refuse(
          s.getOutputStream(),
          "this node refused the request: " + e.getMessage() + "; check the token it printed");
      return false;
    }
    PairingWire.write(
        s.getOutputStream(),
        PairingWire.SEALED,
        cipher.seal("answer " + reply.requestId(), reply.bytes()));
    return reply.usedUp();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      log.debug("closing the pairing listener: {}", e.getMessage());
    }
  }
}
