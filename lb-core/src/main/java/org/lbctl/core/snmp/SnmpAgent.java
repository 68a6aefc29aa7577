package org.lbctl.core.snmp;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Supplier;
import org.lbctl.core.config.SnmpSettings;
import org.lbctl.core.status.NodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.MessageException;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.StatusInformation;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * A read-only SNMP agent over UDP: v2c with the configured community and v3 users with
 * authentication and privacy (HMAC-SHA-256, AES-128). It answers GET, GETNEXT and GETBULK from a
 * {@link MibView} of the node's status (rebuilt at most once a second); SET and anything else is
 * refused, and requests with a wrong community or an unauthenticated v3 level get no answer.
 */
public final class SnmpAgent implements CommandResponder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SnmpAgent.class);
  private static final Duration VIEW_AGE = Duration.ofSeconds(1);
  private static final int MAX_REPETITIONS = 100;

  private final SnmpSettings settings;
  private final Supplier<NodeStatus> status;
  private final long startedNanos = System.nanoTime();
  private final Snmp snmp;
  private final SnmpNotifier notifier;
  private NavigableMap<OID, Variable> view;
  private long viewAt;
  private long refusedCommunity;

  private SnmpAgent(SnmpSettings settings, Supplier<NodeStatus> status, int engineBoots)
      throws IOException {
    this.settings = settings;
    this.status = status;
    UdpAddress listen = new UdpAddress(settings.listen().getAddress(), settings.listen().getPort());
    DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping(listen, true);
    MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
    dispatcher.addMessageProcessingModel(new MPv2c());
    OctetString engineId = engineId(settings);
    SecurityProtocols protocols =
        new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.maxCompatibility);
    protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
    protocols.addPrivacyProtocol(new PrivAES128());
    USM usm = new USM(protocols, engineId, engineBoots);
    for (SnmpSettings.User u : settings.users()) {
      usm.addUser(
          new UsmUser(
              new OctetString(u.name()),
              AuthHMAC192SHA256.ID,
              new OctetString(u.authPassword()),
              PrivAES128.ID,
              new OctetString(u.privPassword())));
    }
    SecurityModels models = new SecurityModels();
    models.addSecurityModel(usm);
    dispatcher.addMessageProcessingModel(
        new MPv3(engineId.getValue(), null, protocols, models, CounterSupport.getInstance()));
    this.snmp = new Snmp(dispatcher, transport);
    this.notifier = new SnmpNotifier(snmp, settings, startedNanos, engineId.getValue());
    snmp.addCommandResponder(this);
    try {
      snmp.listen();
    } catch (IOException e) {
      snmp.close();
      throw new IOException(
          "SNMP: cannot listen on udp " + settings.listen() + ": " + e.getMessage(), e);
    }
    log.info(
        "SNMP agent listening on udp {} (v2c {}, v3 users {}, engine ID 0x{}, boots {})",
        settings.listen(),
        settings.community().isPresent() ? "on" : "off",
        settings.users().stream().map(SnmpSettings.User::name).toList(),
        engineId.toHexString().replace(":", ""),
        engineBoots);
  }

  /**
   * @param engineBoots how many times this engine started, this time included: an SNMPv3 receiver
   *     refuses a notification whose boots and time went back
   */
  public static SnmpAgent start(SnmpSettings settings, Supplier<NodeStatus> status, int engineBoots)
      throws IOException {
    return new SnmpAgent(settings, status, engineBoots);
  }

  public static SnmpAgent start(SnmpSettings settings, Supplier<NodeStatus> status)
      throws IOException {
    return new SnmpAgent(settings, status, 1);
  }

  /**
   * The configured engine ID, else one made from the host's name: RFC 3411's octets format under
   * SNMP4J's enterprise number (4976) with the first 12 bytes of the name's SHA-256, the same at
   * every start on this host and different for two hosts whose long names share a beginning.
   */
  static OctetString engineId(SnmpSettings settings) {
    if (settings.engineId().isPresent()) {
      return OctetString.fromHexStringPairs(settings.engineId().get());
    }
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "lbctl";
    }
    byte[] digest;
    try {
      digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(("lbctl:" + host).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
    byte[] id = new byte[17];
    id[0] = (byte) 0x80;
    id[1] = 0x00;
    id[2] = 0x13;
    id[3] = 0x70;
    id[4] = 0x05;
    System.arraycopy(digest, 0, id, 5, 12);
    return new OctetString(id);
  }

  /** A status change, sent as a notification to the configured receivers (if any). */
  public void notify(org.lbctl.core.events.Event e) {
    notifier.send(e);
  }

  @Override
  public <A extends org.snmp4j.smi.Address> void processPdu(CommandResponderEvent<A> event) {
    PDU request = event.getPDU();
    if (request == null || !allowed(event)) {
      return;
    }
    event.setProcessed(true);
    PDU response = request instanceof ScopedPDU scoped ? (PDU) scoped.clone() : new PDU();
    response.clear();
    response.setType(PDU.RESPONSE);
    response.setRequestID(request.getRequestID());
    response.setErrorStatus(PDU.noError);
    response.setErrorIndex(0);
    NavigableMap<OID, Variable> mib = view();
    switch (request.getType()) {
      case PDU.GET -> {
        for (VariableBinding vb : request.getVariableBindings()) {
          Variable v = mib.get(vb.getOid());
          response.add(new VariableBinding(vb.getOid(), v != null ? v : Null.noSuchObject));
        }
      }
      case PDU.GETNEXT -> {
        for (VariableBinding vb : request.getVariableBindings()) {
          response.add(next(mib, vb.getOid()));
        }
      }
      case PDU.GETBULK -> bulk(mib, request, response);
      default -> {
        // Read-only: a SET (or anything else) changes nothing.
        response.setErrorStatus(PDU.notWritable);
        response.setErrorIndex(1);
        response.addAll(request.getVariableBindings());
      }
    }
    try {
      event
          .getMessageDispatcher()
          .returnResponsePdu(
              event.getMessageProcessingModel(),
              event.getSecurityModel(),
              event.getSecurityName(),
              event.getSecurityLevel(),
              response,
              event.getMaxSizeResponsePDU(),
              event.getStateReference(),
              new StatusInformation());
    } catch (MessageException e) {
      log.warn("SNMP: cannot answer {}: {}", event.getPeerAddress(), e.getMessage());
    }
  }

  /** v2c with the community; v3 only authenticated and encrypted (the USM checked both). */
  private <A extends org.snmp4j.smi.Address> boolean allowed(CommandResponderEvent<A> event) {
    int model = event.getMessageProcessingModel();
    if (model == org.snmp4j.mp.MessageProcessingModel.MPv3) {
      return event.getSecurityLevel() == SecurityLevel.AUTH_PRIV;
    }
    String given = new String(event.getSecurityName(), java.nio.charset.StandardCharsets.UTF_8);
    boolean ok =
        model == org.snmp4j.mp.MessageProcessingModel.MPv2c
            && settings.community().isPresent()
            && java.security.MessageDigest.isEqual(
                given.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                settings.community().get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (!ok) {
      synchronized (this) {
        // One line per 100 refusals: a scanner cannot fill the log.
        if (refusedCommunity++ % 100 == 0) {
          log.warn(
              "SNMP: request from {} with a wrong community refused ({} so far)",
              event.getPeerAddress(),
              refusedCommunity);
        }
      }
    }
    return ok;
  }

  private static VariableBinding next(NavigableMap<OID, Variable> mib, OID after) {
    Map.Entry<OID, Variable> e = mib.higherEntry(after);
    return e == null
        ? new VariableBinding(after, Null.endOfMibView)
        : new VariableBinding(e.getKey(), e.getValue());
  }

  private static void bulk(NavigableMap<OID, Variable> mib, PDU request, PDU response) {
    List<? extends VariableBinding> vbs = request.getVariableBindings();
    int nonRepeaters = Math.max(0, Math.min(request.getNonRepeaters(), vbs.size()));
    for (int i = 0; i < nonRepeaters; i++) {
      response.add(next(mib, vbs.get(i).getOid()));
    }
    int repetitions = Math.max(0, Math.min(request.getMaxRepetitions(), MAX_REPETITIONS));
    OID[] cursors = new OID[vbs.size() - nonRepeaters];
    for (int i = 0; i < cursors.length; i++) {
      cursors[i] = vbs.get(nonRepeaters + i).getOid();
    }
    for (int r = 0; r < repetitions && cursors.length > 0; r++) {
      boolean any = false;
      for (int i = 0; i < cursors.length; i++) {
        VariableBinding vb = next(mib, cursors[i]);
        response.add(vb);
        if (!vb.getVariable().isException()) {
          cursors[i] = vb.getOid();
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
  }

  private synchronized NavigableMap<OID, Variable> view() {
    long now = System.nanoTime();
    if (view == null || now - viewAt > VIEW_AGE.toNanos()) {
      view = MibView.of(status.get(), (now - startedNanos) / 10_000_000L);
      viewAt = now;
    }
    return view;
  }

  @Override
  public void close() {
    try {
      snmp.close();
    } catch (IOException e) {
      log.debug("SNMP: closing: {}", e.toString());
    }
  }
}
