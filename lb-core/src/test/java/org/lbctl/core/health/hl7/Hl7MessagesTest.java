package org.lbctl.core.health.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class Hl7MessagesTest {
  @Test
  void theRequestIsAHeaderWithTheControlId() {
    assertThat(
            Hl7Messages.request(
                "ENGINE",
                "HOSPITAL",
                "NMD^N02",
                "LBCTL42",
                ZonedDateTime.of(2026, 11, 21, 12, 0, 5, 0, ZoneOffset.UTC)))
        .isEqualTo(
            "MSH|^~\\&|LBCTL|LOADBALANCER|ENGINE|HOSPITAL|20261121120005||NMD^N02|LBCTL42|P|2.5\r");
  }

  @Test
  void theAckSaysItsCodeControlIdAndTheEnginesWords() {
    var hapiStyle =
        Hl7Messages.ack(
            "MSH|^~\\&|ENGINE|HOSPITAL|LBCTL|LOADBALANCER|20261121||ACK^N02^ACK|1|P|2.5\r"
                + "MSA|AE|LBCTL123\r"
                + "ERR|||207^Application internal error^HL70357^^^^^^the engine is paused|E\r");
    assertThat(hapiStyle).contains(new Hl7Messages.Ack("AE", "LBCTL123", "the engine is paused"));
    var olderStyle = Hl7Messages.ack("MSH#$~\\&#E\rMSA#AR#X1#no route\r");
    assertThat(olderStyle).contains(new Hl7Messages.Ack("AR", "X1", "no route"));
    assertThat(Hl7Messages.ack("MSH|^~\\&|E\rPID|1\r")).isEmpty();
    assertThat(Hl7Messages.ack("HTTP/1.1 400")).isEmpty();
  }
}
