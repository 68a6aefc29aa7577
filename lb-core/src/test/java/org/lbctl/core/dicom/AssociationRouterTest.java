package org.lbctl.core.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.lbctl.core.config.AeRoute;
import org.lbctl.core.config.DicomRouting;
import org.lbctl.core.health.dicom.DicomPdus;

class AssociationRouterTest {
  private static final java.net.InetAddress CLIENT =
      org.lbctl.core.config.IpLiterals.parse("10.20.1.5");

  private static final DicomRouting ROUTING =
      new DicomRouting(
          List.of(
              new AeRoute("ARCHIVE", Optional.of("CT1"), List.of("fast")),
              new AeRoute("ARCHIVE", Optional.empty(), List.of("a1", "a2")),
              new AeRoute("VNA", Optional.empty(), List.of("v1"))),
          Optional.empty(),
          List.of());

  private static AssociationRouter.Decision decide(
      DicomRouting routing, String calling, String called) throws PduException {
    return new AssociationRouter(Optional.of(routing), List.of("fast", "a1", "a2", "v1"))
        .decide(AssociateRequest.parse(DicomPdus.associateRequest(calling, called)), CLIENT);
  }

  @Test
  void theFirstRouteThatMatchesDecidesAndScopesPersistenceByCalledAeTitle() throws Exception {
    assertThat(decide(ROUTING, "CT1", "ARCHIVE"))
        .isEqualTo(new AssociationRouter.Route(Set.of("fast"), "ARCHIVE"));
    assertThat(decide(ROUTING, "MR1", "ARCHIVE"))
        .isEqualTo(new AssociationRouter.Route(Set.of("a1", "a2"), "ARCHIVE"));
    assertThat(decide(ROUTING, "MR1", "VNA"))
        .isEqualTo(new AssociationRouter.Route(Set.of("v1"), "VNA"));
  }

  @Test
  void aRouteMayHoldOnlyForSomeNetworksAndPersistenceMayTellCallingAeTitlesApart()
      throws Exception {
    DicomRouting bySource =
        new DicomRouting(
            List.of(
                new AeRoute("ARCHIVE", Optional.empty(), List.of("fast"), List.of("10.30.0.0/16")),
                new AeRoute("ARCHIVE", Optional.empty(), List.of("a1"), List.of("10.20.0.0/16"))),
            Optional.empty(),
            List.of(),
            java.util.Map.of(),
            true);
    assertThat(decide(bySource, "CT1", "ARCHIVE"))
        .isEqualTo(new AssociationRouter.Route(Set.of("a1"), "ARCHIVE\\CT1"));
    assertThat(
            new AssociationRouter(Optional.of(bySource), List.of("fast", "a1"))
                .decide(
                    AssociateRequest.parse(DicomPdus.associateRequest("MR1", "ARCHIVE")),
                    org.lbctl.core.config.IpLiterals.parse("10.30.9.9")))
        .isEqualTo(new AssociationRouter.Route(Set.of("fast"), "ARCHIVE\\MR1"));
    assertThat(
            new AssociationRouter(Optional.of(bySource), List.of("fast", "a1"))
                .decide(
                    AssociateRequest.parse(DicomPdus.associateRequest("MR1", "ARCHIVE")),
                    org.lbctl.core.config.IpLiterals.parse("192.168.1.1")))
        .isInstanceOf(AssociationRouter.Reject.class);
  }

  @Test
  void anUnknownCalledAeTitleIsRejectedUnlessThereIsADefaultPool() throws Exception {
    assertThat(decide(ROUTING, "CT1", "ELSEWHERE"))
        .isEqualTo(
            new AssociationRouter.Reject(
                AssociationOutcome.REJECTED_CALLED_AE,
                7,
                "no route for called AE title 'ELSEWHERE'"));
    DicomRouting withDefault =
        new DicomRouting(ROUTING.routes(), Optional.of(List.of("a1")), List.of());
    assertThat(decide(withDefault, "CT1", "ELSEWHERE"))
        .isEqualTo(new AssociationRouter.Route(Set.of("a1"), ""));
  }

  @Test
  void aCallingAeTitleOffTheAllowListIsRejectedWhateverItCalls() throws Exception {
    DicomRouting listed = new DicomRouting(ROUTING.routes(), Optional.empty(), List.of("CT1"));
    assertThat(decide(listed, "ROGUE", "ARCHIVE"))
        .isEqualTo(
            new AssociationRouter.Reject(
                AssociationOutcome.REJECTED_CALLING_AE,
                3,
                "calling AE title 'ROGUE' is not on the allow-list"));
    assertThat(decide(listed, "CT1", "ARCHIVE")).isInstanceOf(AssociationRouter.Route.class);
  }

  @Test
  void withoutRoutingEveryAssociationMayGoToEveryServer() throws Exception {
    assertThat(
            new AssociationRouter(Optional.empty(), List.of("a", "b"))
                .decide(AssociateRequest.parse(DicomPdus.associateRequest("X", "Y")), CLIENT))
        .isEqualTo(new AssociationRouter.Route(Set.of("a", "b"), ""));
  }

  @Test
  void theRequestIsReadWithItsPaddingTrimmed() throws Exception {
    assertThat(AssociateRequest.parse(DicomPdus.associateRequest("CT 1", "ARCHIVE")))
        .isEqualTo(new AssociateRequest("ARCHIVE", "CT 1"));
  }

  @Test
  void anItemOfAnUnknownTypeIsSkippedAsPs38Says() throws Exception {
    byte[] good = DicomPdus.associateRequest("CT1", "ARCHIVE");
    byte[] more = java.util.Arrays.copyOf(good, good.length + 6);
    System.arraycopy(new byte[] {0x42, 0, 0, 2, 'h', 'i'}, 0, more, good.length, 6);
    long length = AssociateRequest.readInt(more, 2) + 6;
    more[2] = (byte) (length >> 24);
    more[3] = (byte) (length >> 16);
    more[4] = (byte) (length >> 8);
    more[5] = (byte) length;
    assertThat(AssociateRequest.parse(more)).isEqualTo(new AssociateRequest("ARCHIVE", "CT1"));
  }

  @Test
  void aRequestThatBreaksPs38SaysWhereAndWhichAbortReason() {
    byte[] good = DicomPdus.associateRequest("CT1", "ARCHIVE");
    byte[] version = good.clone();
    version[7] = 0;
    assertThatThrownBy(() -> AssociateRequest.parse(version))
        .hasMessage("protocol version 0x0 lacks version 1")
        .extracting(e -> ((PduException) e).abortReason())
        .isEqualTo(6);
    byte[] noApplicationContext = good.clone();
    noApplicationContext[74] = 0x42;
    assertThatThrownBy(() -> AssociateRequest.parse(noApplicationContext))
        .hasMessage("A-ASSOCIATE-RQ without an application context");
    byte[] noContext = java.util.Arrays.copyOf(good, 74);
    noContext[5] = 68;
    assertThatThrownBy(() -> AssociateRequest.parse(noContext))
        .hasMessage("A-ASSOCIATE-RQ without an application context");
    byte[] control = good.clone();
    control[12] = 0x1b;
    assertThatThrownBy(() -> AssociateRequest.parse(control))
        .hasMessage(
            "Called AE title: 'AR\\u001bHIVE' holds a character an AE title cannot (printable"
                + " ASCII, no backslash)");
    byte[] newline = good.clone();
    newline[10 + 7] = '\n'; // "ARCHIVE" then a line feed where padding was
    assertThatThrownBy(() -> AssociateRequest.parse(newline))
        .hasMessage(
            "Called AE title: 'ARCHIVE\\n' holds a character an AE title cannot (printable"
                + " ASCII, no backslash)");
    assertThatThrownBy(() -> AssociateRequest.parse(java.util.Arrays.copyOf(good, 30)))
        .hasMessageStartingWith("PDU length ");
  }
}
