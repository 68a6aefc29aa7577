package org.lbctl.core.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS client sockets that check, during the handshake, that the server's certificate names the host
 * connected to (the JDK's endpoint identification: an IP address must be among the certificate's IP
 * addresses, a name among its DNS names), beside the chain's trust.
 */
public final class NameCheckingSockets extends SSLSocketFactory {
  private final SSLSocketFactory delegate;
  private final String algorithm;

  /**
   * @param algorithm the JDK's identification rules: {@code LDAPS}, {@code HTTPS}
   */
  public NameCheckingSockets(SSLSocketFactory delegate, String algorithm) {
    this.delegate = delegate;
    this.algorithm = algorithm;
  }

  private Socket checked(Socket s) {
    if (s instanceof SSLSocket ssl) {
      SSLParameters p = ssl.getSSLParameters();
      p.setEndpointIdentificationAlgorithm(algorithm);
      ssl.setSSLParameters(p);
    }
    return s;
  }

  @Override
  public String[] getDefaultCipherSuites() {
    return delegate.getDefaultCipherSuites();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return delegate.getSupportedCipherSuites();
  }

  @Override
  public Socket createSocket() throws IOException {
    return checked(delegate.createSocket());
  }

  @Override
  public Socket createSocket(Socket s, String host, int port, boolean autoClose)
      throws IOException {
    return checked(delegate.createSocket(s, host, port, autoClose));
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return checked(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return checked(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return checked(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return checked(delegate.createSocket(address, port, localAddress, localPort));
  }
}
