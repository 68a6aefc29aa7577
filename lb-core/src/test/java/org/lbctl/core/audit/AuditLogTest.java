package org.lbctl.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lbctl.core.auth.Caller;

class AuditLogTest {
  @TempDir Path dir;

  @Test
  void secretsInABodyAreMaskedAtAnyDepth() {
    String detail =
        AuditLog.detail(
            "{\"name\":\"nurse\",\"password\":\"hunter2hunter2\",\"pair\":{\"token\":\"t0k\"}}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(detail).contains("nurse", "***").doesNotContain("hunter2", "t0k");
    assertThat(AuditLog.detail(new byte[0])).isEmpty();
    assertThat(AuditLog.detail("not json".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("8 bytes (not JSON)");
    assertThat(AuditLog.detail(new byte[5000])).isEqualTo("5000 bytes");
  }

  @Test
  void eachEntryIsOneJsonLineInAFileOthersCannotRead() throws Exception {
    Path file = dir.resolve("audit.log");
    AuditLog log = new AuditLog(Optional.of(file));
    Caller who = new Caller("admin", "10.0.0.5", "password", true);
    log.record(
        new AuditEntry(Instant.parse("2026-11-22T01:00:00Z"), who, "POST /v1/reload", 200, ""));
    log.record(
        new AuditEntry(Instant.parse("2026-11-22T01:00:01Z"), who, "POST /v1/reload", 422, "x"));

    var lines = Files.readAllLines(file);
    assertThat(lines).hasSize(2);
    var first = new ObjectMapper().readTree(lines.get(0));
    assertThat(first.path("time").asText()).isEqualTo("2026-11-22T01:00:00Z");
    assertThat(first.path("user").asText()).isEqualTo("admin");
    assertThat(first.path("from").asText()).isEqualTo("10.0.0.5");
    assertThat(first.path("via").asText()).isEqualTo("password");
    assertThat(first.path("action").asText()).isEqualTo("POST /v1/reload");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");
    assertThat(log.recent(10)).extracting(AuditEntry::status).containsExactly(422, 200);
  }
}
