package org.lbctl.core.snmp;

import java.io.IOException;
import java.util.Map;
import org.lbctl.core.config.SnmpSettings;
import org.lbctl.core.events.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.UserTarget;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;

/**
 * Sends each status change (what {@code GET /v1/events} streams) as a notification to the
 * configured trap receivers, SNMPv2c with the agent's community or SNMPv3 authPriv as one of its
 * users: {@code lbctlNotifications.N} (see LBCTL-MIB) with the subject, the value before and the
 * value now. Sent without waiting; a receiver that is away misses them, as SNMP notifications go.
 */
final class SnmpNotifier {
  private static final Logger log = LoggerFactory.getLogger(SnmpNotifier.class);
  static final OID NOTIFICATIONS = new OID(MibView.ROOT_TEXT + ".0");
  static final OID SUBJECT = new OID(MibView.ROOT_TEXT + ".4.1");
  static final OID FROM = new OID(MibView.ROOT_TEXT + ".4.2");
  static final OID TO = new OID(MibView.ROOT_TEXT + ".4.3");
  private static final Map<String, Integer> TYPES =
      Map.of("health", 1, "admin", 2, "service", 3, "pair", 4, "group", 5, "config", 6);

  private final Snmp snmp;
  private final SnmpSettings settings;
  private final long startedNanos;
  private final byte[] engineId;

  /**
   * @param engineId this agent's SNMPv3 engine ID: a v3 notification's authoritative engine
   */
  SnmpNotifier(Snmp snmp, SnmpSettings settings, long startedNanos, byte[] engineId) {
    this.snmp = snmp;
    this.settings = settings;
    this.startedNanos = startedNanos;
    this.engineId = engineId.clone();
  }

  void send(Event e) {
    Integer n = TYPES.get(e.type());
    if (n == null || settings.traps().isEmpty()) {
      return;
    }
    for (SnmpSettings.Trap to : settings.traps()) {
      UdpAddress address = new UdpAddress(to.address().getAddress(), to.address().getPort());
      try {
        if (to.user().isPresent()) {
          UserTarget<UdpAddress> target =
              new UserTarget<>(
                  address, new OctetString(to.user().get()), engineId, SecurityLevel.AUTH_PRIV);
          target.setVersion(SnmpConstants.version3);
          snmp.send(fill(new ScopedPDU(), e, n), target);
        } else if (settings.community().isPresent()) {
          CommunityTarget<UdpAddress> target =
              new CommunityTarget<>(address, new OctetString(settings.community().get()));
          target.setVersion(SnmpConstants.version2c);
          snmp.send(fill(new PDU(), e, n), target);
        }
      } catch (IOException ex) {
        log.warn("SNMP: cannot send a notification to {}: {}", to.address(), ex.getMessage());
      }
    }
  }

  private PDU fill(PDU pdu, Event e, int n) {
    pdu.setType(PDU.TRAP);
    pdu.add(
        new VariableBinding(
            SnmpConstants.sysUpTime,
            // TimeTicks count hundredths of a second in 32 bits: they wrap after 497 days.
            new TimeTicks(((System.nanoTime() - startedNanos) / 10_000_000) % (1L << 32))));
    pdu.add(new VariableBinding(SnmpConstants.snmpTrapOID, new OID(NOTIFICATIONS).append(n)));
    pdu.add(new VariableBinding(SUBJECT, new OctetString(subject(e))));
    pdu.add(new VariableBinding(FROM, new OctetString(e.field("from"))));
    pdu.add(new VariableBinding(TO, new OctetString(e.field("to"))));
    return pdu;
  }

  /** {@code vip/server}, {@code vip} or {@code group}, whichever the event names. */
  private static String subject(Event e) {
    return java.util.stream.Stream.of("virtualService", "realServer", "group")
        .map(e::field)
        .filter(f -> !f.isEmpty())
        .collect(java.util.stream.Collectors.joining("/"));
  }
}
