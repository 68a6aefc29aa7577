package org.lbctl.core.service;

import java.util.Set;
import org.lbctl.core.balancer.Backend;

/**
 * The real servers of a virtual service one connection may go to, and the scope its persistence
 * entry is kept under: all of them for most services; the servers of one AE title's route for a
 * DICOM service, each route with its own entry per client.
 *
 * @param servers real-server labels; null for all
 * @param scope added to the client's stick-table key; empty for none
 */
public record Pool(Set<String> servers, String scope) {
  public static final Pool ALL = new Pool(null, "");

  public Pool {
    servers = servers == null ? null : Set.copyOf(servers);
  }

  public boolean admits(Backend b) {
    return servers == null || servers.contains(b.label());
  }
}
