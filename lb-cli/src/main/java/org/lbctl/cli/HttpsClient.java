package org.lbctl.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.lbctl.core.tls.PemTrust;

/**
 * Calls a remote node's management API over HTTPS with an API token. The node's certificate is
 * checked against {@code --cacert} (its management.crt, or the CA that signed it), else the JDK's
 * trust store; there is no way to skip the check.
 */
final class HttpsClient implements ApiClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final URI endpoint;
  private final String token;
  private final HttpClient http;

  HttpsClient(URI endpoint, String token, Path caCert) throws IOException {
    this.endpoint = endpoint;
    this.token = token;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .sslContext(caCert == null ? defaultContext() : trusting(caCert))
            .build();
  }

  @Override
  public Answer call(String method, String path, String jsonBody) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint.resolve(path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                jsonBody == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(jsonBody))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (SSLHandshakeException e) {
      throw new IOException(
          "the node at "
              + endpoint
              + " presented a certificate this machine does not trust: give --cacert with its"
              + " management.crt (its fingerprint is in the node's log) ("
              + e.getMessage()
              + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling " + endpoint, e);
    } catch (IOException e) {
      throw new IOException("cannot reach the node at " + endpoint + " (" + e + ")", e);
    }
    byte[] body = response.body();
    return new Answer(
        response.statusCode(), body.length == 0 ? JSON.nullNode() : JSON.readTree(body));
  }

  private static SSLContext defaultContext() throws IOException {
    try {
      return SSLContext.getDefault();
    } catch (GeneralSecurityException e) {
      throw new IOException("no TLS on this JDK: " + e.getMessage(), e);
    }
  }

  /** A context that trusts the certificates in one PEM file. */
  private static SSLContext trusting(Path pem) throws IOException {
    try {
      return PemTrust.context(pem);
    } catch (IOException e) {
      throw new IOException("--cacert " + e.getMessage(), e);
    }
  }
}
