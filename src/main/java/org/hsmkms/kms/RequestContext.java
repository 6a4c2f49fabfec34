package org.hsmkms.kms;

/**
 * Who is asking and where: the account and region the request acts in (keys of other accounts and
 * regions are invisible), the caller's principal ARN and the request id.
 */
public record RequestContext(String account, String region, String principal, String requestId) {

  public String keyArn(String keyId) {
    return "arn:aws:kms:" + region + ":" + account + ":key/" + keyId;
  }

  public String aliasArn(String aliasName) {
    return "arn:aws:kms:" + region + ":" + account + ":" + aliasName;
  }
}
