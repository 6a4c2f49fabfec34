package org.hsmkms.authz;

import java.util.Optional;

/**
 * The grants that apply to a key, as the authorizer sees them: the id of a grant that allows the
 * request, if any. Grants only ever allow; a grant cannot deny.
 */
@FunctionalInterface
public interface GrantSource {
  /** No grants at all. */
  GrantSource NONE = request -> Optional.empty();

  /** The id of a grant that allows the request (its grantee, operations and constraints fit). */
  Optional<String> allowingGrant(AuthzRequest request);
}
