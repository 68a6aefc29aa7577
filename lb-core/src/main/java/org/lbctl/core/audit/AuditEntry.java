package org.lbctl.core.audit;

import java.time.Instant;
import org.lbctl.core.auth.Caller;

/**
 * One change, or one attempt at a change, made through the management API.
 *
 * @param action what was asked, e.g. {@code PUT /v1/virtual-services/pacs/real-servers/pacs1/...}
 * @param status the HTTP status it got (2xx done, anything else refused and nothing changed)
 * @param detail what was sent, secrets masked
 */
public record AuditEntry(Instant time, Caller caller, String action, int status, String detail) {}
