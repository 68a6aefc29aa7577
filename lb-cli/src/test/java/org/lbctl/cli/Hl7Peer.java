package org.lbctl.cli;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.Connection;
import ca.uhn.hl7v2.app.HL7Service;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v25.message.ADT_A01;
import ca.uhn.hl7v2.protocol.ReceivingApplication;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.lbctl.core.testing.NamespaceLab;

/**
 * HL7 v2 over MLLP with HAPI, as its own process inside a lab namespace. {@code serve NAME PORT}:
 * an interface engine that acknowledges (AA) every message and prints {@code received NAME ID}.
 * {@code send HOST PORT N [GAP_MS]}: sends N ADT^A01 messages GAP_MS apart on one connection, each
 * waiting for its ACK; a message whose ACK does not come is resent on a new connection, every 100
 * ms for up to 10 s, as interface engines do. Prints {@code ack ID CODE} per message, then {@code
 * done ACKED/N resent R}.
 */
public final class Hl7Peer {
  private Hl7Peer() {}

  static Process start(NamespaceLab lab, String host, Path log, String... args) throws IOException {
    return NamespaceJava.start(lab, host, log, Hl7Peer.class, args);
  }

  private static HapiContext context() {
    HapiContext hapi = new DefaultHapiContext();
    hapi.setValidationContext(ValidationContextFactory.noValidation());
    hapi.getParserConfiguration()
        .setIdGenerator(new ca.uhn.hl7v2.util.idgenerator.InMemoryIDGenerator());
    return hapi;
  }

  public static void main(String[] args) throws Exception {
    if (args[0].equals("serve")) {
      serve(args[1], Integer.parseInt(args[2]));
    } else {
      send(
          args[1],
          Integer.parseInt(args[2]),
          Integer.parseInt(args[3]),
          args.length > 4 ? Integer.parseInt(args[4]) : 0);
    }
  }

  private static void serve(String name, int port) throws Exception {
    HapiContext hapi = context();
    HL7Service server = hapi.newServer(port, false);
    server.registerApplication(
        "*",
        "*",
        new ReceivingApplication<Message>() {
          @Override
          public Message processMessage(Message in, Map<String, Object> metadata) {
            try {
              String id =
                  ((ca.uhn.hl7v2.model.v25.segment.MSH) in.get("MSH"))
                      .getMessageControlID()
                      .getValue();
              System.out.println("received " + name + " " + id);
              System.out.flush();
              return in.generateACK();
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }

          @Override
          public boolean canProcess(Message message) {
            return true;
          }
        });
    server.startAndWait();
    System.out.println("listening " + port);
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void send(String host, int port, int n, int gapMs) throws Exception {
    HapiContext hapi = context();
    int acked = 0;
    int resent = 0;
    Connection c = null;
    for (int i = 1; i <= n; i++) {
      ADT_A01 adt = new ADT_A01();
      adt.initQuickstart("ADT", "A01", "P");
      adt.getMSH().getMessageControlID().setValue("MSG" + i);
      adt.getPID().getPatientName(0).getFamilyName().getSurname().setValue("Test" + i);
      for (int attempt = 1; attempt <= 100; attempt++) {
        try {
          if (c == null) {
            c = hapi.newClient(host, port, false);
            c.getInitiator().setTimeout(10, java.util.concurrent.TimeUnit.SECONDS);
          }
          Message ack = c.getInitiator().sendAndReceive(adt);
          String code =
              ((ca.uhn.hl7v2.model.v25.message.ACK) ack)
                  .getMSA()
                  .getAcknowledgmentCode()
                  .getValue();
          System.out.println("ack MSG" + i + " " + code);
          if (code.equals("AA")) {
            acked++;
          }
          break;
        } catch (Exception e) {
          System.out.println("retry MSG" + i + " after " + e);
          resent++;
          if (c != null) {
            c.close();
            c = null;
          }
          Thread.sleep(100); // the sender's resend interval
        }
      }
      if (gapMs > 0) {
        Thread.sleep(gapMs); // the pace of the feed
      }
    }
    if (c != null) {
      c.close();
    }
    System.out.println("done " + acked + "/" + n + " resent " + resent);
    System.out.flush();
    hapi.close();
  }
}
