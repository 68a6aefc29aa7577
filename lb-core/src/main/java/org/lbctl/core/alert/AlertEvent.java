package org.lbctl.core.alert;

import java.time.Instant;
import java.util.Optional;

/**
 * Something an engineer is told by mail: a real server went down or came up, a virtual service lost
 * its last server or got one back, the pair's roles changed.
 *
 * @param virtualService whose recipients are told besides the global list; empty for the pair
 * @param summary one line, also the mail's subject
 * @param detail what the check found, why the role changed
 */
public record AlertEvent(
    Instant at, Optional<String> virtualService, String summary, String detail) {}
