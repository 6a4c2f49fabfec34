package org.hsmkms.auth;

/**
 * Decides who sent a request. Runs before any operation; a request whose sender cannot be
 * established is refused with {@link AuthenticationException}.
 *
 * <p>In two steps where the transport allows it: {@link #checkHeaders} refuses what the headers
 * alone condemn (before the body is read), and {@link #authenticate(SignedRequest, HeaderCheck)}
 * finishes with the body. {@link #authenticate(SignedRequest)} does both; the rules are the same.
 */
public interface Authenticator {
  Caller authenticate(SignedRequest request) throws AuthenticationException;

  /**
   * The checks that need no body, with the same rules and answers as {@link
   * #authenticate(SignedRequest)} (the body of {@code request} is not looked at); null when this
   * authenticator has none.
   */
  default HeaderCheck checkHeaders(SignedRequest request) throws AuthenticationException {
    return null;
  }

  /**
   * Authenticates a request whose headers {@link #checkHeaders} passed ({@code checked}, null if
   * they were not checked).
   */
  default Caller authenticate(SignedRequest request, HeaderCheck checked)
      throws AuthenticationException {
    return authenticate(request);
  }
}
