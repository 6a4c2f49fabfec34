package org.hsmkms.api;

import org.hsmkms.kms.KmsException;

/** How a request ends: the serialized answer of an operation, or an error. */
record Outcome(byte[] body, KmsException error) {
  static Outcome ok(byte[] body) {
    return new Outcome(body, null);
  }

  static Outcome failed(KmsException e) {
    return new Outcome(null, e);
  }
}
