package org.lbctl.core.hl7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MllpFramerTest {
  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  private static String next(EmbeddedChannel ch) {
    ByteBuf b = ch.readInbound();
    if (b == null) {
      return null;
    }
    try {
      return b.toString(StandardCharsets.ISO_8859_1);
    } finally {
      b.release();
    }
  }

  @Test
  void messagesComeOutWholeHoweverTheBytesArrive() {
    EmbeddedChannel ch = new EmbeddedChannel(new MllpFramer(1024));
    ch.writeInbound(bytes("\u000bMSH|one\r\u001c\r\u000bMSH|tw"));
    assertThat(next(ch)).isEqualTo("MSH|one\r");
    assertThat(next(ch)).isNull();
    ch.writeInbound(bytes("o\r\u001c"));
    assertThat(next(ch)).as("the end block alone is not the end").isNull();
    ch.writeInbound(bytes("\r"));
    assertThat(next(ch)).isEqualTo("MSH|two\r");
    ch.finishAndReleaseAll();
  }

  @Test
  void whatIsNotMllpIsRefusedWithWhatWasWrong() {
    String[][] cases = {
      {"MSH|x\r\u001c\r", "byte 0x4d where a message must start (0x0b)"},
      {"\u000bMSH|a\r\u000bMSH|b\r\u001c\r", "a start block inside a message, 7 bytes in"},
      {"\u000bMSH|a\r\u001c\n", "end block followed by 0xa instead of CR"},
      {"\u000b" + "x".repeat(20), "a message of more than 16 bytes (hl7.maxMessage)"},
    };
    for (String[] c : cases) {
      EmbeddedChannel ch = new EmbeddedChannel(new MllpFramer(16));
      assertThatThrownBy(() -> ch.writeInbound(bytes(c[0])))
          .as(c[0])
          .isInstanceOf(DecoderException.class)
          .cause()
          .hasMessage(c[1]);
      // The bytes left behind fail again as the channel closes; the first failure is the one.
      ch.releaseInbound();
      assertThatThrownBy(ch::finishAndReleaseAll).isInstanceOf(DecoderException.class);
    }
  }

  @Test
  void aMessageIsFramedAgainWithoutACopyAndReleasedWithItsFrame() {
    ByteBuf message = bytes("MSH|x\r");
    ByteBuf framed = MllpFramer.frame(message);
    assertThat(framed.toString(StandardCharsets.ISO_8859_1)).isEqualTo("\u000bMSH|x\r\u001c\r");
    framed.release();
    assertThat(message.refCnt()).isZero();
  }

  @Test
  void theHeaderGivesTheControlIdWithTheMessagesOwnSeparator() throws Exception {
    assertThat(
            MessageHeader.parse(
                "MSH#^~\\&#EHR#HOSP#ENG#HOSP#2026##ADT^A01#C42#P#2.5\rPID#1"
                    .getBytes(StandardCharsets.ISO_8859_1)))
        .isEqualTo(new MessageHeader("C42", "EHR", "HOSP"));
    assertThatThrownBy(() -> MessageHeader.parse("PID|1".getBytes(StandardCharsets.ISO_8859_1)))
        .hasMessage("a message that does not start with an MSH segment");
    assertThatThrownBy(
            () ->
                MessageHeader.parse(
                    "MSH|^~\\&|EHR|HOSP|ENG|HOSP|2026||ADT^A01||P|2.5"
                        .getBytes(StandardCharsets.ISO_8859_1)))
        .hasMessage("a message without a control ID (MSH-10)");
  }
}
