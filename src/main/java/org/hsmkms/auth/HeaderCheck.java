package org.hsmkms.auth;

import java.util.List;

/**
 * What {@link Authenticator#checkHeaders} learnt from a request's headers alone: the parsed
 * Authorization header, the signed time and the credential scope, handed on to {@link
 * Authenticator#authenticate(SignedRequest, HeaderCheck)} so that the headers are parsed once.
 *
 * <p>Security: a passed header check is not an authentication: the signature, which covers the
 * body, is verified only once the body has arrived. Holds no secret.
 */
public final class HeaderCheck {
  final List<String> signedHeaders;
  final String signature;
  final String accessKeyId;
  final String scopeDate;
  final String region;
  final String amzDate;

  HeaderCheck(
      List<String> signedHeaders,
      String signature,
      String accessKeyId,
      String scopeDate,
      String region,
      String amzDate) {
    this.signedHeaders = signedHeaders;
    this.signature = signature;
    this.accessKeyId = accessKeyId;
    this.scopeDate = scopeDate;
    this.region = region;
    this.amzDate = amzDate;
  }

  @Override
  public String toString() {
    return "HeaderCheck[" + accessKeyId + "]";
  }
}
