package org.lbctl.core.health.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.lbctl.core.dicom.AeTitle;

/** The PDUs on exact bytes, written out by hand from PS3.8 9.3 and PS3.7 9.3.5. */
class DicomPdusTest {
  /** Hex pieces ("01 00") and quoted ASCII ("'LB-SCP'") concatenated. */
  private static byte[] bytes(String... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String p : parts) {
      if (p.startsWith("'")) {
        out.writeBytes(p.substring(1, p.length() - 1).getBytes(StandardCharsets.US_ASCII));
      } else {
        out.writeBytes(HexFormat.of().parseHex(p.replace(" ", "")));
      }
    }
    return out.toByteArray();
  }

  @Test
  void theAssociateRequestProposesVerificationWithTheConfiguredAeTitles() {
    byte[] expected =
        bytes(
            "01 00 000000D4", // A-ASSOCIATE-RQ, 212 bytes follow
            "0001 0000",
            "'LB-SCP          '", // called, 16 bytes
            "'LOADBALANCER    '", // calling
            "00".repeat(32),
            "10 00 0015",
            "'1.2.840.10008.3.1.1.1'",
            "20 00 002E 01 000000", // presentation context 1
            "30 00 0011",
            "'1.2.840.10008.1.1'",
            "40 00 0011",
            "'1.2.840.10008.1.2'",
            "50 00 0041", // user information
            "51 00 0004 00004000", // maximum length 16384
            "52 00 002C",
            "'2.25.144067485819404202066597925074826783860'",
            "55 00 0005",
            "'LBCTL'");
    assertThat(DicomPdus.associateRequest("LOADBALANCER", "LB-SCP")).isEqualTo(expected);
  }

  @Test
  void theEchoRequestIsOneLastCommandFragment() {
    byte[] expected =
        bytes(
            "04 00 0000004A", // P-DATA-TF, 74 bytes
            "00000046 01 03", // PDV of 70 bytes, context 1, command + last
            "0000 0000 04000000 38000000", // (0000,0000) group length 56
            "0000 0200 12000000",
            "'1.2.840.10008.1.1'",
            "00", // UID padded to even length
            "0000 0001 02000000 3000", // (0000,0100) C-ECHO-RQ
            "0000 1001 02000000 0700", // (0000,0110) message id 7
            "0000 0008 02000000 0101"); // (0000,0800) no data set
    assertThat(DicomPdus.echoRequest(7)).isEqualTo(expected);
  }

  @Test
  void releaseAndAbort() {
    assertThat(DicomPdus.releaseRequest()).isEqualTo(bytes("05 00 00000004 00000000"));
    assertThat(DicomPdus.abort()).isEqualTo(bytes("07 00 00000004 00000000"));
  }

  @Test
  void aRejectionSaysWhy() throws Exception {
    DicomAnswer a = DicomAnswer.decode(0x03, bytes("00 01 01 07"));
    assertThat(((DicomAnswer.Reject) a).describe())
        .isEqualTo("association rejected (permanent): called AE title not recognized");
    assertThat(((DicomAnswer.Reject) DicomAnswer.decode(0x03, bytes("00 02 03 01"))).describe())
        .isEqualTo("association rejected (transient): temporary congestion");
    assertThat(((DicomAnswer.Abort) DicomAnswer.decode(0x07, bytes("0000 02 02"))).describe())
        .isEqualTo("association aborted by the server's DICOM provider: unexpected PDU");
  }

  @Test
  void anAcceptTellsTheResultOfOurPresentationContext() throws Exception {
    byte[] body =
        bytes(
            "0001 0000",
            "'LB-SCP          '",
            "'LOADBALANCER    '",
            "00".repeat(32),
            "10 00 0015",
            "'1.2.840.10008.3.1.1.1'",
            "21 00 0019 01 00 03 00", // context 1: abstract syntax not supported
            "40 00 0011",
            "'1.2.840.10008.1.2'",
            "50 00 0008 51 00 0004 00008000");
    DicomAnswer.Accept a = (DicomAnswer.Accept) DicomAnswer.decode(0x02, body);
    assertThat(a.contextResult()).isEqualTo(3);
    assertThat(a.transferSyntax()).isEqualTo("1.2.840.10008.1.2");
    assertThat(a.describeResult()).isEqualTo("abstract syntax (Verification) not supported");
  }

  @Test
  void theEchoResponseStatusIsRead() throws Exception {
    byte[] rsp =
        bytes(
            "0000 0000 04000000 42000000",
            "0000 0200 12000000",
            "'1.2.840.10008.1.1'",
            "00",
            "0000 0001 02000000 3080", // C-ECHO-RSP
            "0000 2001 02000000 0700", // responding to 7
            "0000 0008 02000000 0101",
            "0000 0009 02000000 1001"); // status 0x0110: processing failure
    EchoResponse r = EchoResponse.parse(rsp);
    assertThat(r.commandField()).isEqualTo(0x8030);
    assertThat(r.respondedTo()).isEqualTo(7);
    assertThat(r.status()).isEqualTo(0x0110);
  }

  @Test
  void malformedAnswersAreRefusedWithWhatWasWrong() {
    assertThatThrownBy(() -> DicomAnswer.decode(0x03, bytes("00 01")))
        .isInstanceOf(DicomProtocolException.class)
        .hasMessage("A-ASSOCIATE-RJ: 2 bytes where 4 are needed");
    assertThatThrownBy(() -> DicomAnswer.decode(0x04, bytes("000000FF 01 03 00")))
        .hasMessage("P-DATA-TF: a value of 255 bytes in 3 remaining");
    assertThatThrownBy(() -> EchoResponse.parse(bytes("0000 0001 02000000")))
        .hasMessage("command set: element (0000,0100) of 2 bytes in 0 remaining");
    assertThatThrownBy(() -> DicomAnswer.decode(0x09, new byte[0]))
        .hasMessage("unexpected PDU type 0x9");
  }

  @Test
  void aeTitlesAreAtMostSixteenPrintableCharacters() {
    assertThat(AeTitle.problem("LOADBALANCER")).isEmpty();
    assertThat(AeTitle.problem("A_VERY_LONG_AE_TITLE"))
        .contains("'A_VERY_LONG_AE_TITLE' is 20 characters; an AE title has at most 16");
    assertThat(AeTitle.problem("  ")).contains("an AE title must not be empty");
    assertThat(AeTitle.problem("PACS\\1")).get().asString().contains("no backslash");
  }
}
