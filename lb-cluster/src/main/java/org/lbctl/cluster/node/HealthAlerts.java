package org.lbctl.cluster.node;

import java.time.Instant;
import java.util.Optional;
import org.lbctl.core.alert.AlertEvent;
import org.lbctl.core.alert.Alerter;
import org.lbctl.core.health.HealthChecker;

/** Mails every change of a real server's health and of a virtual service's availability. */
final class HealthAlerts {
  private HealthAlerts() {}

  static void mail(HealthChecker health, Alerter alerter) {
    health.addListener(
        e ->
            alerter.post(
                new AlertEvent(
                    Instant.now(),
                    Optional.of(e.virtualService()),
                    e.virtualService() + ": real server " + e.server() + (e.up() ? " UP" : " DOWN"),
                    e.result().detail() + " (" + e.inARow() + " in a row)")));
    health.addAvailabilityListener(
        v ->
            alerter.post(
                new AlertEvent(
                    Instant.now(),
                    Optional.of(v.virtualService()),
                    v.virtualService()
                        + (v.available()
                            ? ": real servers available again"
                            : ": NO REAL SERVER AVAILABLE"),
                    v.consequence())));
  }
}
