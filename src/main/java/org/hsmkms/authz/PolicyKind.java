package org.hsmkms.authz;

/** Where a policy document is attached, which decides whether its statements name principals. */
public enum PolicyKind {
  /** A key's resource policy: every statement names a {@code Principal} or {@code NotPrincipal}. */
  KEY_POLICY,
  /** A policy attached to a principal: no statement names a {@code Principal}. */
  IDENTITY_POLICY
}
