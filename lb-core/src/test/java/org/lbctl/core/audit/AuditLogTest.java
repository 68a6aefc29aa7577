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
    Caller who = new Caller("admin", "10.0.0.5", "password", true, org.lbctl.core.auth.Role.ADMIN);
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

  @Test
  void whatAClientSentIsCappedAndEscapedBeforeItIsKept() throws Exception {
    Path file = dir.resolve("audit.log");
    AuditLog log = new AuditLog(Optional.of(file));
    String forged = "x\n2026-12-06 INFO admin logged in" + "y".repeat(1_000_000);
    log.record(
        new AuditEntry(
            Instant.now(),
            new Caller(forged, "10.0.0.5", "session", false, org.lbctl.core.auth.Role.ADMIN),
            "POST /v1/users\r\n" + forged,
            201,
            forged));
    assertThat(Files.size(file)).isLessThan(4_000);
    AuditEntry kept = log.recent(1).get(0);
    assertThat(kept.caller().user()).doesNotContain("\n").hasSizeLessThan(100);
    assertThat(kept.action()).doesNotContain("\r", "\n").hasSizeLessThan(300);
    assertThat(kept.detail()).hasSizeLessThan(2_100);
  }

  @Test
  void refusalsAlikeArePastFiveCountedAndWrittenOnceTheMinuteIsOver() throws Exception {
    Path file = dir.resolve("audit.log");
    AuditLog log = new AuditLog(Optional.of(file));
    Caller who =
        new Caller(
            "<invalid name, 1000000 bytes>",
            "10.0.0.66",
            "session",
            false,
            org.lbctl.core.auth.Role.ADMIN);
    Instant t0 = Instant.now().minusSeconds(120);
    for (int i = 0; i < 1000; i++) {
      log.record(new AuditEntry(t0.plusMillis(i), who, "login", 429, "locked out"));
    }
    // Another source is written as usual meanwhile.
    Caller other =
        new Caller("admin", "10.0.0.5", "session", false, org.lbctl.core.auth.Role.ADMIN);
    log.record(new AuditEntry(t0.plusMillis(1001), other, "login", 401, "wrong"));
    assertThat(Files.readAllLines(file)).hasSize(AuditLog.REPEATS_WRITTEN + 1);
    log.flushRepeats();
    var lines = Files.readAllLines(file);
    assertThat(lines).hasSize(AuditLog.REPEATS_WRITTEN + 2);
    assertThat(lines.get(lines.size() - 1))
        .contains("995 more refusals like this one from 10.0.0.66");
  }

  @Test
  void theFileRotatesBySizeAndTheApiPagesBackwards() throws Exception {
    Path file = dir.resolve("audit.log");
    AuditLog log = new AuditLog(Optional.of(file), 2_000);
    Caller who = new Caller("admin", "10.0.0.5", "password", true, org.lbctl.core.auth.Role.ADMIN);
    for (int i = 0; i < 40; i++) {
      log.record(new AuditEntry(Instant.now(), who, "POST /v1/reload", 200, "n" + i));
    }
    assertThat(Files.size(file)).isLessThan(2_300);
    assertThat(dir.resolve("audit.log.1")).exists();
    assertThat(dir.resolve("audit.log." + (AuditLog.ROTATED_FILES + 1))).doesNotExist();
    var first = log.page(10, Long.MAX_VALUE);
    assertThat(first).hasSize(10);
    assertThat(first.get(0).entry().detail()).isEqualTo("n39");
    var second = log.page(10, first.get(9).number());
    assertThat(second.get(0).entry().detail()).isEqualTo("n29");
  }
}
