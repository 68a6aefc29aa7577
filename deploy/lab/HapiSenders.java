import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HL7 senders for deploy/lab/drill.sh clinical, built on HAPI's MLLP client as an EHR's interface
 * would be, run as a single source file with HAPI on the class path:
 *
 * <pre>
 *   java -cp HAPI_JARS HapiSenders.java HOST PORT SENDERS MESSAGES TIMEOUT_MS PACE_MS
 * </pre>
 *
 * SENDERS senders send MESSAGES ADT^A01 in all (control IDs S&lt;i&gt;M&lt;k&gt;, k from 1, sending
 * application EHR&lt;i&gt;), one at a time, each waiting for its ACK. A message whose ACK does not
 * come within TIMEOUT_MS, or whose connection fails, is sent again on a new connection until it is
 * acknowledged (at least once). Each sender waits PACE_MS between messages. Prints {@code sent=N
 * acked=N resends=R ack_order_violations=V}, V counting ACKs whose MSA-2 is not the message's
 * MSH-10 (HAPI matches by control ID, so one shows as a timeout and a resend first).
 */
public class HapiSenders {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int senders = Integer.parseInt(args[2]);
    int messages = Integer.parseInt(args[3]);
    int timeoutMs = Integer.parseInt(args[4]);
    int paceMs = Integer.parseInt(args[5]);
    AtomicLong acked = new AtomicLong();
    AtomicLong resends = new AtomicLong();
    AtomicLong wrongAck = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < senders; t++) {
      int sender = t;
      int count = messages / senders + (t < messages % senders ? 1 : 0);
      Thread worker =
          new Thread(
              () -> {
                // One context per sender: HAPI shares connections to one address within a
                // context, and each sender needs its own.
                HapiContext hapi = new DefaultHapiContext();
                hapi.setValidationContext(ValidationContextFactory.noValidation());
                PipeParser parser = hapi.getPipeParser();
                Connection c = null;
                for (int k = 1; k <= count; k++) {
                  String id = "S" + sender + "M" + k;
                  while (true) {
                    try {
                      if (c == null) {
                        c = hapi.newClient(host, port, false);
                        c.getInitiator().setTimeout(timeoutMs, TimeUnit.MILLISECONDS);
                      }
                      Message adt = parser.parse(adt(sender, id, k));
                      String ack = parser.encode(c.getInitiator().sendAndReceive(adt));
                      if (!ack.contains("\rMSA|AA|" + id)) {
                        wrongAck.incrementAndGet();
                        throw new IllegalStateException(id + " got " + ack);
                      }
                      acked.incrementAndGet();
                      break;
                    } catch (Exception e) {
                      resends.incrementAndGet();
                      if (c != null) {
                        close(c);
                        hapi.getConnectionHub().discard(c);
                        c = null;
                      }
                      pause(50);
                    }
                  }
                  pause(paceMs);
                }
                if (c != null) {
                  close(c);
                }
              });
      worker.start();
      threads.add(worker);
    }
    for (Thread t : threads) {
      t.join();
    }
    System.out.printf(
        "sent=%d acked=%d resends=%d ack_order_violations=%d%n",
        messages, acked.get(), resends.get(), wrongAck.get());
    System.exit(0);
  }

  static String adt(int sender, String id, int k) {
    return "MSH|^~\\&|EHR" + sender + "|HOSPITAL|ENGINE|HOSPITAL|20261207||ADT^A01|" + id
        + "|P|2.5\rEVN|A01|20261207\rPID|1||" + k + "||Lab^Patient" + k + "\r";
  }

  static void close(Connection c) {
    try {
      c.close();
    } catch (Exception e) {
      // going anyway
    }
  }

  static void pause(int ms) {
    if (ms <= 0) {
      return;
    }
    try {
      Thread.sleep(ms); // the pace of a feed, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
