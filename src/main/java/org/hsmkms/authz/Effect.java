package org.hsmkms.authz;

/** A statement's {@code Effect}. */
public enum Effect {
  ALLOW,
  DENY
}
