package org.hsmkms.auth;

/**
 * Decides who sent a request. Runs before any operation; a request whose sender cannot be
 * established is refused with {@link AuthenticationException}.
 */
public interface Authenticator {
  Caller authenticate(SignedRequest request) throws AuthenticationException;
}
