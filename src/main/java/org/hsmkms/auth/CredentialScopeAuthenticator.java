package org.hsmkms.auth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the region from the SigV4 credential scope ({@code Credential=AKID/date/region/kms/...}) and
 * the account from configuration, without verifying the signature. Requests without an
 * Authorization header act in the default region.
 *
 * <p>Security: this authenticates nobody; it exists until signature verification is configured.
 */
public final class CredentialScopeAuthenticator implements Authenticator {
  private static final Pattern SCOPE =
      Pattern.compile("Credential=([^/,\\s]+)/\\d{8}/([a-z0-9-]+)/[^/,\\s]+/aws4_request");

  private final String account;
  private final String defaultRegion;

  public CredentialScopeAuthenticator(String account, String defaultRegion) {
    this.account = account;
    this.defaultRegion = defaultRegion;
  }

  @Override
  public Caller authenticate(SignedRequest request) {
    String auth = request.header("authorization");
    if (auth != null) {
      Matcher m = SCOPE.matcher(auth);
      if (m.find()) {
        return new Caller(account, m.group(2), "arn:aws:iam::" + account + ":root", m.group(1));
      }
    }
    return new Caller(account, defaultRegion, "arn:aws:iam::" + account + ":root", null);
  }
}
