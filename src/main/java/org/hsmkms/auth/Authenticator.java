package org.hsmkms.auth;

import org.hsmkms.kms.KmsException;

/**
 * Decides who sent a request. Runs before any operation; an implementation that verifies SigV4
 * throws {@link KmsException} with the AWS authentication error types.
 */
public interface Authenticator {
  Caller authenticate(SignedRequest request) throws KmsException;
}
