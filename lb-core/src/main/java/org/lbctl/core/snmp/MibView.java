package org.lbctl.core.snmp;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.lbctl.core.status.NodeStatus;
import org.lbctl.core.status.PairStatus;
import org.lbctl.core.status.RealServerStatus;
import org.lbctl.core.status.ServiceStatus;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.Variable;

/**
 * A node's status as SNMP objects, sorted by OID for walks: MIB-2's system group and lbctl's own
 * tree (see {@code deploy/snmp/LBCTL-MIB.txt}) of the node and pair, the virtual services and the
 * real servers. lbctl has no IANA enterprise number yet, so its tree hangs under the experimental
 * arc {@value #ROOT_TEXT}; a registered one replaces it before a release.
 */
public final class MibView {
  static final String ROOT_TEXT = "1.3.6.1.3.6694";
  public static final OID ROOT = new OID(ROOT_TEXT);
  static final OID SYSTEM = new OID("1.3.6.1.2.1.1");
  static final OID NODE = child(ROOT, 1);
  static final OID VIP_ENTRY = child(ROOT, 2, 1, 1);
  static final OID RIP_ENTRY = child(ROOT, 3, 1, 1);

  /** TruthValue (SNMPv2-TC). */
  static final int TRUE = 1;

  static final int FALSE = 2;

  private MibView() {}

  /**
   * @param uptimeHundredths the agent's uptime in hundredths of a second (sysUpTime)
   */
  public static NavigableMap<OID, Variable> of(NodeStatus s, long uptimeHundredths) {
    TreeMap<OID, Variable> mib = new TreeMap<>();
    system(mib, s, uptimeHundredths);
    node(mib, s);
    List<ServiceStatus> vips = s.virtualServices();
    for (int v = 0; v < vips.size(); v++) {
      vip(mib, v + 1, vips.get(v));
      List<RealServerStatus> rips = vips.get(v).realServers();
      for (int r = 0; r < rips.size(); r++) {
        rip(mib, v + 1, r + 1, rips.get(r));
      }
    }
    return mib;
  }

  private static void system(Map<OID, Variable> mib, NodeStatus s, long uptime) {
    put(mib, child(SYSTEM, 1, 0), text("lbctl " + s.version() + " load balancer"));
    mib.put(child(SYSTEM, 2, 0), ROOT);
    mib.put(child(SYSTEM, 3, 0), new TimeTicks(uptime));
    put(mib, child(SYSTEM, 4, 0), text(""));
    put(mib, child(SYSTEM, 5, 0), text(s.node()));
    put(mib, child(SYSTEM, 6, 0), text(""));
    // sysServices: transport (4) and application (7) layers: 2^3 + 2^6
    mib.put(child(SYSTEM, 7, 0), new Integer32(72));
  }

  private static void node(Map<OID, Variable> mib, NodeStatus s) {
    PairStatus p = s.pair();
    put(mib, child(NODE, 1, 0), text(s.version()));
    mib.put(child(NODE, 2, 0), new Gauge32(Math.max(0, s.configVersion())));
    put(mib, child(NODE, 3, 0), text(s.configHash()));
    put(mib, child(NODE, 4, 0), text(p == null ? "alone" : p.role()));
    // 1 active, 2 passive, 3 alone (a node without a pair serves on its own), 4 other
    int state =
        p == null ? 3 : p.state().equals("active") ? 1 : p.state().equals("passive") ? 2 : 4;
    mib.put(child(NODE, 5, 0), new Integer32(state));
    mib.put(child(NODE, 6, 0), truth(p != null && p.peer().present()));
    long age = p == null ? -1 : p.peer().heartbeatAgeMillis();
    mib.put(child(NODE, 7, 0), new Gauge32(age < 0 ? 0 : age));
    mib.put(child(NODE, 8, 0), truth(p != null && p.configDrift()));
    mib.put(child(NODE, 9, 0), new Gauge32(s.stickTable() == null ? 0 : s.stickTable().entries()));
  }

  private static void vip(Map<OID, Variable> mib, int i, ServiceStatus v) {
    // Column 1, the index, is not-accessible (SMIv2): the row's OID carries it.
    put(mib, child(VIP_ENTRY, 2, i), text(v.label()));
    put(mib, child(VIP_ENTRY, 3, i), text(v.address()));
    put(
        mib,
        child(VIP_ENTRY, 4, i),
        text(String.join(",", v.ports().stream().map(String::valueOf).toList())));
    mib.put(child(VIP_ENTRY, 5, i), new Integer32(v.layer()));
    put(mib, child(VIP_ENTRY, 6, i), text(v.layer() == 4 ? v.mode() : v.protocol()));
    // 1 up, 2 fallback (no real server available, the fallback serves), 3 down
    int state = v.state().equals("up") ? 1 : v.state().equals("fallback") ? 2 : 3;
    mib.put(child(VIP_ENTRY, 7, i), new Integer32(state));
    mib.put(child(VIP_ENTRY, 8, i), new Gauge32(v.activeConnections()));
    mib.put(child(VIP_ENTRY, 9, i), new Counter64(v.totalConnections()));
    mib.put(child(VIP_ENTRY, 10, i), new Counter64(v.bytesIn()));
    mib.put(child(VIP_ENTRY, 11, i), new Counter64(v.bytesOut()));
  }

  private static void rip(Map<OID, Variable> mib, int v, int r, RealServerStatus s) {
    // Column 1, the index, is not-accessible (SMIv2): the row's OID carries it.
    put(mib, child(RIP_ENTRY, 2, v, r), text(s.label()));
    put(mib, child(RIP_ENTRY, 3, v, r), text(s.address()));
    mib.put(child(RIP_ENTRY, 4, v, r), new Integer32(s.port()));
    mib.put(child(RIP_ENTRY, 5, v, r), new Integer32(s.weight()));
    // 1 online, 2 drain, 3 halt
    int admin = s.adminState().equals("online") ? 1 : s.adminState().equals("drain") ? 2 : 3;
    mib.put(child(RIP_ENTRY, 6, v, r), new Integer32(admin));
    // 1 up, 2 down
    mib.put(child(RIP_ENTRY, 7, v, r), new Integer32(s.health().equals("up") ? 1 : 2));
    mib.put(child(RIP_ENTRY, 8, v, r), new Gauge32(s.activeConnections()));
    mib.put(child(RIP_ENTRY, 9, v, r), new Counter64(s.totalConnections()));
    mib.put(child(RIP_ENTRY, 10, v, r), new Counter64(s.failedConnects()));
    long ms = s.lastCheckMillis() == null ? 0 : Math.round(s.lastCheckMillis());
    mib.put(child(RIP_ENTRY, 11, v, r), new Gauge32(ms));
  }

  private static void put(Map<OID, Variable> mib, OID oid, OctetString value) {
    mib.put(oid, value);
  }

  private static OctetString text(String s) {
    return new OctetString(s == null ? "" : s);
  }

  private static Integer32 truth(boolean b) {
    return new Integer32(b ? TRUE : FALSE);
  }

  static OID child(OID base, int... sub) {
    OID o = new OID(base);
    o.append(new OID(sub));
    return o;
  }
}
