package org.lbctl.core.health;

/**
 * A real server changed health.
 *
 * @param inARow how many results in a row made the change (1 for the first check after a start)
 * @param result the result that made it
 */
public record HealthEvent(
    String virtualService, String server, boolean up, int inARow, CheckResult result) {}
