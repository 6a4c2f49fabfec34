package org.hsmkms.auth;

import java.util.Optional;
import org.hsmkms.authz.PolicyDocument;

/** The identity policies of principals, as the request pipeline reads them on every request. */
@FunctionalInterface
public interface IdentityPolicies {
  /** No principal has one. */
  IdentityPolicies NONE = principal -> Optional.empty();

  /** The principal's compiled identity policy; empty when it has none. Does no I/O. */
  Optional<PolicyDocument> identityPolicy(String principalArn);
}
