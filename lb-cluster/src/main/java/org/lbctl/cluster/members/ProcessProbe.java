package org.lbctl.cluster.members;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Asks a member's host whether the member's process still runs: a TCP connection to one of its
 * listeners (the stick table's port). A refused connection means the host is up and nothing listens
 * there any more: the process is gone. An accepted one means it runs (perhaps frozen: the kernel
 * accepts into the backlog for it); no answer says nothing (the host or the path is down).
 */
public final class ProcessProbe {
  /** What the probe learnt. */
  public enum Answer {
    GONE,
    RUNNING,
    UNKNOWN
  }

  private ProcessProbe() {}

  public static Answer ask(InetSocketAddress listener, int timeoutMillis) {
    try (Socket s = new Socket()) {
      s.connect(listener, timeoutMillis);
      return Answer.RUNNING;
    } catch (ConnectException e) {
      String m = String.valueOf(e.getMessage());
      return m.contains("refused") ? Answer.GONE : Answer.UNKNOWN;
    } catch (IOException e) {
      return Answer.UNKNOWN;
    }
  }
}
