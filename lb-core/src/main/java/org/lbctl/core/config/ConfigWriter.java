package org.lbctl.core.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * Writes a configuration in the same form {@link ConfigLoader} reads, every default spelled out.
 */
public final class ConfigWriter {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ConfigWriter() {}

  public static ObjectNode toTree(ReplicatedConfig config) {
    ObjectNode root = F.objectNode();
    ArrayNode floating = root.putArray("floatingIps");
    config.floatingIps().forEach(f -> floating.add(f.cidr()));
    if (!config.groups().isEmpty()) {
      // Written only when there are groups, so a pair's configuration hashes as before.
      ArrayNode groups = root.putArray("groups");
      for (VipGroup g : config.groups()) {
        ObjectNode n = groups.addObject();
        n.put("name", g.name());
        g.virtualServices().forEach(n.putArray("virtualServices")::add);
        g.floatingIps().forEach(n.putArray("floatingIps")::add);
        g.preference().forEach(n.putArray("preference")::add);
        n.put("failback", g.failback());
      }
    }
    if (!config.members().isEmpty()) {
      // Written only for a cluster that keeps its members here, so other configurations hash as
      // before.
      ArrayNode members = root.putArray("members");
      for (ClusterSettings.Member m : config.members()) {
        members.addObject().put("name", m.name()).put("address", Endpoints.format(m.address()));
      }
    }
    ArrayNode vips = root.putArray("virtualServices");
    for (VirtualService v : config.virtualServices()) {
      ObjectNode n = vips.addObject();
      n.put("label", v.label());
      n.put("address", v.address());
      ArrayNode ports = n.putArray("ports");
      v.ports().forEach(ports::add);
      n.put("layer", v.layer().number());
      if (v.layer() == Layer.L4) {
        n.put("mode", v.mode().configName());
      } else {
        n.put("protocol", v.protocol().configName());
      }
      n.put("scheduler", v.scheduler().configName());
      ObjectNode p = n.putObject("persistence");
      p.put("mode", v.persistence().mode().configName());
      p.put("timeout", Durations.format(v.persistence().timeout()));
      p.put("netmask", v.persistence().netmask());
      if (v.persistence().mode() == PersistenceMode.HTTP_COOKIE) {
        p.put("cookie", v.persistence().cookie());
      }
      ObjectNode h = n.putObject("healthCheck");
      h.put("type", v.healthCheck().type().configName());
      h.put("interval", Durations.format(v.healthCheck().interval()));
      h.put("timeout", Durations.format(v.healthCheck().timeout()));
      h.put("rise", v.healthCheck().rise());
      h.put("fall", v.healthCheck().fall());
      if (v.healthCheck().port() != 0) {
        h.put("port", v.healthCheck().port());
      }
      if (v.healthCheck().type() == CheckType.DICOM_ECHO) {
        h.put("callingAeTitle", v.healthCheck().callingAeTitle());
        h.put("calledAeTitle", v.healthCheck().calledAeTitle());
      }
      if (v.healthCheck().type() == CheckType.HTTP_GET
          || v.healthCheck().type() == CheckType.HTTPS_GET) {
        HttpGet g = v.healthCheck().http();
        h.put("path", g.path());
        h.put("host", g.host());
        h.put("expectStatus", g.expectStatus());
        h.put("expectBody", g.expectBody());
        h.put("bodyMatch", g.bodyMatch().configName());
      }
      CheckTls tls = v.healthCheck().tls();
      if (v.healthCheck().usesTls()) {
        if (v.healthCheck().type() == CheckType.DICOM_ECHO) {
          h.put("tls", true);
        }
        h.put("verifyCertificate", tls.verifyCertificate());
        h.put("caFile", tls.caFile());
        h.put("clientCertificateFile", tls.clientCertificateFile());
        h.put("clientKeyFile", tls.clientKeyFile());
      }
      if (v.healthCheck().type() == CheckType.EXTERNAL) {
        h.put("script", v.healthCheck().script());
      }
      if (v.healthCheck().type() == CheckType.HL7) {
        h.put("hl7ReceivingApplication", v.healthCheck().hl7ReceivingApplication());
        h.put("hl7ReceivingFacility", v.healthCheck().hl7ReceivingFacility());
        h.put("hl7MessageType", v.healthCheck().hl7MessageType());
      }
      ObjectNode f = n.putObject("fallback");
      f.put("enabled", v.fallback().isPresent());
      v.fallback()
          .ifPresent(
              fb -> {
                f.put("address", fb.address());
                f.put("port", fb.port());
                if (fb.masquerade()) {
                  f.put("masquerade", true);
                }
              });
      ObjectNode t = n.putObject("timeouts");
      t.put("connect", Durations.format(v.timeouts().connect()));
      t.put("client", Durations.format(v.timeouts().client()));
      t.put("server", Durations.format(v.timeouts().server()));
      t.put("queue", Durations.format(v.timeouts().queue()));
      t.put("httpRequest", Durations.format(v.timeouts().httpRequest()));
      ArrayNode rss = n.putArray("realServers");
      for (RealServer r : v.realServers()) {
        ObjectNode rn = rss.addObject();
        rn.put("label", r.label());
        rn.put("address", r.address());
        rn.put("port", r.port());
        rn.put("weight", r.weight());
        rn.put("minConnections", r.minConnections());
        rn.put("maxConnections", r.maxConnections());
        r.reencrypt()
            .ifPresent(
                re -> {
                  ObjectNode en = rn.putObject("reencrypt");
                  en.put("verifyCa", re.verifyCa());
                  if (!re.clientCertificate().isEmpty()) {
                    en.put("clientCertificate", re.clientCertificate());
                  }
                });
      }
      if (v.forceHttps()) {
        n.put("forceHttps", true);
      }
      if (v.trailers() != Trailers.FORWARD) {
        n.put("trailers", v.trailers().configName());
      }
      if (v.maxRequestBody() > 0) {
        n.put("maxRequestBody", ByteSizes.format(v.maxRequestBody()));
      }
      if (v.transparent()) {
        n.put("transparent", true);
      }
      v.dicom().ifPresent(d -> dicom(n.putObject("dicom"), d));
      if (!v.hl7().equals(Hl7Settings.DEFAULT)) {
        ObjectNode hn = n.putObject("hl7");
        hn.put("maxMessage", ByteSizes.format(v.hl7().maxMessage()));
        hn.put("ackTimeout", Durations.format(v.hl7().ackTimeout()));
        hn.put("resendOnNak", v.hl7().resendOnNak());
        hn.put("orderBy", v.hl7().orderBy().configName());
      }
      v.termination()
          .ifPresent(
              term -> {
                ObjectNode tn = n.putObject("termination");
                tn.put("port", term.port());
                tn.put("certificate", term.certificate());
                if (!term.clientCa().isEmpty()) {
                  tn.put("clientCa", term.clientCa());
                }
                if (!term.sni().isEmpty()) {
                  ObjectNode sn = tn.putObject("sni");
                  term.sni().forEach(sn::put);
                }
                if (!term.http2()) {
                  tn.put("http2", false);
                }
              });
      if (!v.alertRecipients().isEmpty()) {
        ArrayNode to = n.putArray("alertRecipients");
        v.alertRecipients().forEach(to::add);
      }
    }
    if (!config.certificates().isEmpty()) {
      ArrayNode certs = root.putArray("certificates");
      for (NamedCertificate c : config.certificates()) {
        if (c.isInline()) {
          certs
              .addObject()
              .put("name", c.name())
              .put("certificatePem", c.certificatePem())
              .put("keyPem", c.keyPem());
          continue;
        }
        certs
            .addObject()
            .put("name", c.name())
            .put(c.isPfx() ? "pfxFile" : "certificateFile", c.mainFile())
            .put(
                c.isPfx() ? "passwordFile" : "keyFile", c.isPfx() ? c.passwordFile() : c.keyFile());
      }
    }
    if (!config.caFamilies().isEmpty()) {
      ArrayNode cas = root.putArray("caFamilies");
      for (CaFamily f : config.caFamilies()) {
        ObjectNode fn = cas.addObject().put("name", f.name());
        ArrayNode files = fn.putArray("files");
        f.files().forEach(files::add);
      }
    }
    config
        .alerts()
        .ifPresent(
            a -> {
              ObjectNode an = root.putObject("alerts");
              an.put("smtpHost", a.smtpHost());
              an.put("smtpPort", a.smtpPort());
              an.put("security", a.security().configName());
              an.put("username", a.username());
              an.put("passwordFile", a.passwordFile());
              an.put("from", a.from());
              ArrayNode to = an.putArray("to");
              a.to().forEach(to::add);
              an.put("minInterval", Durations.format(a.minInterval()));
              if (!a.caFile().isEmpty()) {
                an.put("caFile", a.caFile());
              }
            });
    return root;
  }

  private static void dicom(ObjectNode n, DicomRouting d) {
    if (!d.routes().isEmpty()) {
      ArrayNode routes = n.putArray("routes");
      for (AeRoute r : d.routes()) {
        ObjectNode rn = routes.addObject();
        rn.put("calledAeTitle", r.calledAeTitle());
        r.callingAeTitle().ifPresent(c -> rn.put("callingAeTitle", c));
        ArrayNode servers = rn.putArray("servers");
        r.servers().forEach(servers::add);
        if (!r.sources().isEmpty()) {
          ArrayNode sources = rn.putArray("sources");
          r.sources().forEach(sources::add);
        }
      }
    }
    d.defaultServers()
        .ifPresent(
            servers -> {
              ArrayNode a = n.putArray("defaultServers");
              servers.forEach(a::add);
            });
    if (!d.callingAeTitles().isEmpty()) {
      ArrayNode a = n.putArray("callingAeTitles");
      d.callingAeTitles().forEach(a::add);
    }
    if (d.persistByCallingAe()) {
      n.put("persistByCallingAe", true);
    }
    if (!d.serverAeTitles().isEmpty()) {
      ObjectNode m = n.putObject("serverAeTitles");
      new java.util.TreeMap<>(d.serverAeTitles()).forEach(m::put);
    }
  }

  public static byte[] toJson(ReplicatedConfig config) {
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(toTree(config));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write configuration", e);
    }
  }

  public static String toYaml(ReplicatedConfig config) {
    try {
      YAMLFactory yaml =
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build();
      return new ObjectMapper(yaml).writeValueAsString(toTree(config));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write configuration", e);
    }
  }
}
